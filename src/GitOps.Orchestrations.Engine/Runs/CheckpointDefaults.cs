namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// When a run continues as new to shed its history. A run checkpoints whenever
/// <see cref="WorkflowRunInput.CheckpointEvery"/> nodes have finished and nothing is in flight; a
/// wide DAG always has something in flight, so past <see cref="DrainAfter"/> finished nodes it
/// stops starting new ones until what runs has ended, and checkpoints then. A node that runs long
/// (a gate, a wait) would hold that up, so the pause lasts at most <see cref="DrainLimit"/>, after
/// which the run goes on and tries again <see cref="DrainAfter"/> nodes later.
/// </summary>
public static class CheckpointDefaults
{
    /// <summary>About four times as many history events: replays of a run stay a few thousand events long at most.</summary>
    public const int DrainAfter = 250;

    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);
}
