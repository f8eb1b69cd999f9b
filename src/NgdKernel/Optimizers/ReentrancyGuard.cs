using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace NgdKernel.Optimizers;

/// <summary>
/// Detects a second thread entering an object that is not thread-safe while a first is inside it:
/// one interlocked compare-exchange on entry and one volatile write on exit, no lock and no allocation.
/// </summary>
/// <remarks>
/// The check is made before the caller touches any state, so the thread that loses the race throws and
/// leaves the object exactly as the thread inside it is leaving it. It is a misuse detector, not a
/// lock: it never waits, and calls one after another from different threads are fine. A mutable field
/// of the guarded object (never a copy: the flag is the field itself).
/// </remarks>
internal struct ReentrancyGuard
{
    private int _busy;

    /// <summary>
    /// Marks the owner busy until the returned scope is disposed (<c>using var busy = _guard.Enter(this);</c>
    /// as the first statement of each mutating entry point), or throws when another call is inside it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another call is inside <paramref name="owner"/>.</exception>
    [UnscopedRef]
    public Scope Enter(object owner)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            ThrowConcurrent(owner);
        }

        return new Scope(ref _busy);
    }

    /// <summary>The time between <see cref="Enter"/> and the end of its <c>using</c> block.</summary>
    public readonly ref struct Scope
    {
        private readonly ref int _busy;

        internal Scope(ref int busy) => _busy = ref busy;

        /// <summary>Marks the owner free again.</summary>
        public void Dispose() => Volatile.Write(ref _busy, 0);
    }

    [DoesNotReturn]
    [StackTraceHidden]
    private static void ThrowConcurrent(object owner) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{TypeName(owner.GetType())} is not thread-safe and was called from two threads at once: a call entered while another (Step, Rollback or a state change) was still running. Its state is as the running call leaves it; use one optimizer per thread or serialize the calls."));

    /// <summary><c>NaturalGradientOptimizer&lt;Double&gt;</c> rather than the CLR's <c>NaturalGradientOptimizer`1</c>.</summary>
    internal static string TypeName(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return string.Concat(tick < 0 ? name : name[..tick], "<",
            string.Join(", ", type.GetGenericArguments().Select(TypeName)), ">");
    }
}
