namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Argo's <c>parallelism</c> inside an orchestrator: starts at most <c>limit</c> of <c>count</c>
/// pieces of work, the next as soon as one ends, and gives the results in index order. Only durable
/// tasks are awaited, so every replay starts the same pieces in the same order.
/// </summary>
internal static class BoundedStart
{
    /// <param name="stop">Once cancelled, nothing more starts; what never started gets <paramref name="notStarted"/>.</param>
    public static async Task<T[]> RunAsync<T>(int count, int limit, Func<int, Task<T>> start, Func<int, T> notStarted, CancellationToken stop)
    {
        var results = new T[count];
        var running = new List<(Task<T> Task, int Index)>();
        int next = 0;
        while (next < count || running.Count > 0)
        {
            while (next < count && running.Count < limit && !stop.IsCancellationRequested)
            {
                running.Add((start(next), next));
                next++;
            }

            if (running.Count == 0)
            {
                // Stopped with work left: it never starts.
                for (; next < count; next++)
                {
                    results[next] = notStarted(next);
                }

                break;
            }

            Task<T> done = await Task.WhenAny(running.Select(r => r.Task));
            int at = running.FindIndex(r => r.Task == done);
            results[running[at].Index] = await done;
            running.RemoveAt(at);
        }

        return results;
    }
}
