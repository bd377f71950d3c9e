using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Locks;

/// <summary>
/// Of the runs a lock knows, those that no longer run: ended (completed, failed, terminated) or
/// gone. A lock releases them; a run that ends normally lets go itself, so this finds only the
/// ones that could not (terminated, or failed in the engine).
/// </summary>
public sealed class FindEndedRunsActivity(DurableTaskClient client) : TaskActivity<List<string>, List<string>>
{
    /// <summary>Lookups in flight at once: a semaphore's holders can be many.</summary>
    const int Concurrent = 16;

    public override async Task<List<string>> RunAsync(TaskActivityContext context, List<string> runs)
    {
        var ended = new List<string>();
        foreach (string[] batch in runs.Chunk(Concurrent))
        {
            bool[] live = await Task.WhenAll(batch.Select(async run => RunLocks.IsLive(await client.GetInstanceAsync(run))));
            ended.AddRange(batch.Where((_, i) => !live[i]));
        }

        return ended;
    }
}
