using System.Reflection;
using Xunit.Sdk;

namespace NgdKernel.Tests.Generators;

/// <summary>The element types the kernels and optimizers are generic over, as a theory parameter.</summary>
public enum Precision
{
    Single,
    Double,
}

/// <summary>
/// Theory data: every combination of the values of the test method's parameters, which must be
/// enums, bools or ints. A <see cref="KernelPath"/> parameter takes only the paths this machine
/// supports (<see cref="KernelPaths.Supported"/>), so each row runs the forced-path entry points
/// for real; an int parameter takes the values given to the attribute (thread counts, say).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CombinationsAttribute(params int[] integers) : DataAttribute
{
    /// <summary>The values an int parameter takes.</summary>
    public IReadOnlyList<int> Integers { get; } = integers;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        IEnumerable<object[]> rows = [[]];
        foreach (ParameterInfo parameter in testMethod.GetParameters())
        {
            object[] values = ValuesOf(parameter);
            rows = [.. rows.SelectMany(row => values.Select(value => (object[])[.. row, value]))];
        }

        return rows;
    }

    private object[] ValuesOf(ParameterInfo parameter) => parameter.ParameterType switch
    {
        Type t when t == typeof(KernelPath) => [.. KernelPaths.Supported.Select(path => (object)path)],
        Type t when t == typeof(bool) => [false, true],
        Type t when t == typeof(int) && Integers.Count > 0 => [.. Integers.Select(value => (object)value)],
        { IsEnum: true } t => [.. Enum.GetValues(t).Cast<object>()],
        Type t => throw new InvalidOperationException(
            $"[Combinations] on {parameter.Member.Name}: parameter '{parameter.Name}' is {t.Name}; " +
            "only enums, bools and ints given to the attribute have a finite set of values."),
    };
}

/// <summary>Runs the generic body a <see cref="Precision"/> names.</summary>
internal static class Precisions
{
    public static void Run(this Precision precision, Action inSingle, Action inDouble)
    {
        if (precision == Precision.Double)
        {
            inDouble();
        }
        else
        {
            inSingle();
        }
    }

    public static TResult Pick<TResult>(this Precision precision, TResult inSingle, TResult inDouble) =>
        precision == Precision.Double ? inDouble : inSingle;
}
