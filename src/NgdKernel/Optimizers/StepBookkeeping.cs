using System.Diagnostics.CodeAnalysis;

namespace NgdKernel.Optimizers;

/// <summary>
/// What every optimizer keeps around its steps besides its own state: the workspace sized for the
/// latest batch, the batch size whose memory estimate was last checked, whether <c>Rollback</c> has a
/// step to undo, and the reentrancy flag of the not-thread-safe contract.
/// </summary>
/// <remarks>
/// A mutable field of the optimizer, used in place (never copied: <see cref="Guard"/> is the flag itself).
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal struct StepBookkeeping<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Buffers of the forward and backward passes, grown to the largest batch seen.</summary>
    public NetworkWorkspace<T>? Workspace;

    /// <summary>The batch size whose memory estimate was last checked against the limit (0: none yet).</summary>
    public int CheckedRows;

    /// <summary>True when the undo copies hold the state before the last step.</summary>
    public bool CanRollBack;

    /// <summary>Detects a call that overlaps another on the same optimizer.</summary>
    public ReentrancyGuard Guard;

    /// <summary>
    /// The opening of every <c>Rollback</c>: marks <paramref name="owner"/> busy until the returned scope is
    /// disposed and consumes the undo copies, which the caller restores inside that scope.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no step to roll back, or another call is inside <paramref name="owner"/>.</exception>
    [UnscopedRef]
    public ReentrancyGuard.Scope EnterRollback(object owner)
    {
        ReentrancyGuard.Scope busy = Guard.Enter(owner);
        if (!CanRollBack)
        {
            busy.Dispose();
            throw new InvalidOperationException("There is no step to roll back.");
        }

        CanRollBack = false;
        return busy;
    }
}
