namespace NgdKernel;

/// <summary>An options record that checks its own values: <c>Validate</c> throws naming the first one out of range.</summary>
internal interface IValidatedOptions
{
    void Validate();
}

/// <summary>The options a constructor or a memory estimate works with.</summary>
internal static class ValidatedOptions
{
    /// <summary><paramref name="options"/>, or the defaults when null, after validation.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static TOptions OrDefault<TOptions>(TOptions? options)
        where TOptions : class, IValidatedOptions, new()
    {
        options ??= new TOptions();
        options.Validate();
        return options;
    }
}
