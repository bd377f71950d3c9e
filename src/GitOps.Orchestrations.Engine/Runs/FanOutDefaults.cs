namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// How a fan-out wider than one chunk runs (<see cref="Orchestrators.NodeRunner.ChunkSize"/> items
/// per chunk sub-orchestration).
/// </summary>
public static class FanOutDefaults
{
    /// <summary>
    /// Chunks of one fan-out that run at once on Azure Storage; the next starts as one ends. Every
    /// completion wakes the chunk it belongs to, and there each wake reads that chunk's history:
    /// with all fifty chunks of a 5,000-item fan-out at once, completions reached each chunk one or
    /// two at a time, and the run went at 17 items/s. Two at once hand each chunk its completions in
    /// batches (56 items/s, near what the store sustains); 200 items in flight still keep a worker's
    /// 100 activity slots full. In memory a wake costs nothing and every chunk starts at once.
    /// Measured in docs/performance.md ("Size"); a host may choose otherwise (EngineHostOptions.ChunksAtOnce).
    /// </summary>
    public const int ChunksAtOnce = 2;
}
