using System.Text;

namespace NgdKernel.Cli.Output;

/// <summary>
/// <c>&lt;experiment&gt;.csv</c>: one row per evaluation of every run,
/// <c>optimizer,learningRate,examplesSeen,seconds,trainLoss,testLoss,lambda,status</c> (lambda empty for SGD),
/// and for classification two more columns, <c>trainAccuracy,testAccuracy</c>.
/// trainLoss is measured on the first examples of the training set (see <see cref="ExperimentRunner"/>).
/// status is empty on evaluation rows; a run that diverged or failed ends with one row whose status is
/// <c>diverged</c> or <c>failed</c> at the example count where it stopped (losses empty when no evaluation
/// was made there; an evaluation row at that count carries the status itself).
/// </summary>
internal static class CsvOutput
{
    public const string Header = "optimizer,learningRate,examplesSeen,seconds,trainLoss,testLoss,lambda,status";

    public static void Write(ExperimentResult result, string path)
    {
        var text = new StringBuilder();
        bool accuracy = result.Settings.Spec.IsClassification;
        text.Append(Header).Append(accuracy ? ",trainAccuracy,testAccuracy" : string.Empty).Append('\n');
        foreach (OptimizerRun run in result.Runs)
        {
            bool stopped = run.StopReason is "diverged" or "failed";
            for (int i = 0; i < run.Points.Count; i++)
            {
                EvaluationPoint p = run.Points[i];
                text.Append(CultureInfo.InvariantCulture, $"{run.Name},{run.LearningRate:R},{p.Examples},{p.Seconds:R},{p.TrainLoss:R},{p.TestLoss:R},");
                if (p.Lambda is double lambda)
                {
                    text.Append(lambda.ToString("R", CultureInfo.InvariantCulture));
                }

                bool last = i == run.Points.Count - 1;
                text.Append(',').Append(stopped && last && p.Examples == run.ExamplesSeen ? run.StopReason : string.Empty);
                if (accuracy)
                {
                    text.Append(CultureInfo.InvariantCulture, $",{p.TrainAccuracy:R},{p.TestAccuracy:R}");
                }

                text.Append('\n');
            }

            if (stopped && (run.Points.Count == 0 || run.Points[^1].Examples != run.ExamplesSeen))
            {
                text.Append(CultureInfo.InvariantCulture, $"{run.Name},{run.LearningRate:R},{run.ExamplesSeen},{run.Seconds:R},,,,{run.StopReason}")
                    .Append(accuracy ? ",," : string.Empty).Append('\n');
            }
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }
}
