namespace NgdKernel.Cli.Progress;

/// <summary>Progress of one optimizer run.</summary>
internal interface IRunProgress
{
    void Update(long examples, double seconds, double testLoss, double? lambda);

    /// <summary>Marks the run finished with a short summary (fits an 80-column progress row).</summary>
    void Complete(string summary);
}

/// <summary>Where an experiment reports what it does: a live display or plain lines.</summary>
internal interface IProgressSink
{
    IRunProgress StartRun(string label, long examplesBudget, double secondsBudget);

    void Message(string line);
}
