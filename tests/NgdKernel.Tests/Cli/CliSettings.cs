using System.CommandLine;
using NgdKernel.Cli;
using NgdKernel.Cli.Experiments;

namespace NgdKernel.Tests.Cli;

/// <summary>Experiment settings built as <c>ngd</c> builds them: the experiment's defaults, then the options given.</summary>
internal static class CliSettings
{
    /// <summary>The settings of <c>ngd <paramref name="experiment"/> <paramref name="options"/></c>.</summary>
    public static ExperimentSettings Parse(string experiment, params string[] options)
    {
        var experimentOptions = new ExperimentOptions(ExperimentSpec.Get(experiment));
        var command = new Command(experiment);
        experimentOptions.AddTo(command);
        ParseResult parse = command.Parse(options);
        Assert.Empty(parse.Errors);
        return experimentOptions.ToSettings(parse);
    }
}
