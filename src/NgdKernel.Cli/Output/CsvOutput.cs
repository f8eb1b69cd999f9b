using System.Globalization;
using System.Text;
using NgdKernel.Cli.Experiments;

namespace NgdKernel.Cli.Output;

/// <summary>
/// <c>&lt;experiment&gt;.csv</c>: one row per evaluation of every run,
/// <c>optimizer,learningRate,examplesSeen,seconds,trainLoss,testLoss,lambda</c> (lambda empty for SGD).
/// trainLoss is measured on the first examples of the training set (see <see cref="ExperimentRunner"/>).
/// </summary>
internal static class CsvOutput
{
    public const string Header = "optimizer,learningRate,examplesSeen,seconds,trainLoss,testLoss,lambda";

    public static void Write(ExperimentResult result, string path)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        foreach (OptimizerRun run in result.Runs)
        {
            foreach (EvaluationPoint p in run.Points)
            {
                text.Append(CultureInfo.InvariantCulture, $"{run.Name},{run.LearningRate:R},{p.Examples},{p.Seconds:R},{p.TrainLoss:R},{p.TestLoss:R},");
                if (p.Lambda is double lambda)
                {
                    text.Append(lambda.ToString("R", CultureInfo.InvariantCulture));
                }

                text.Append('\n');
            }
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }
}
