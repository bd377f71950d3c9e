using System.Collections.Concurrent;

namespace GitOps.Orchestrations.Git;

/// <summary>
/// Where libgit2 runs. Its calls block a thread for the network and the disk (an ls-remote, a
/// fetch, a push, an export), so they run here, on a few dedicated threads, rather than on the
/// thread pool: a fan-out of a thousand activities waiting on Git then never takes the threads the
/// engine, the gRPC sidecar and Kestrel need, and the pool never has to grow to catch up.
/// </summary>
public static class GitWork
{
    /// <summary>How many Git operations run at once in this process; the rest wait in order.</summary>
    public static int Concurrency { get; } = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);

    static readonly TaskFactory Factory = new(CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskContinuationOptions.None, new DedicatedScheduler(Concurrency));

    /// <summary>Runs <paramref name="work"/> on a Git thread; cancelling gives up a call that has not started.</summary>
    public static Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default) =>
        Factory.StartNew(work, cancellationToken);

    /// <summary>A fixed set of background threads taking tasks from one queue, in order.</summary>
    sealed class DedicatedScheduler : TaskScheduler, IDisposable
    {
        [ThreadStatic]
        static bool onGitThread;

        readonly BlockingCollection<Task> queue = [];

        public DedicatedScheduler(int threads)
        {
            for (int i = 0; i < threads; i++)
            {
                new Thread(Work) { IsBackground = true, Name = $"gitops-git-{i}" }.Start();
            }
        }

        public override int MaximumConcurrencyLevel => Concurrency;

        void Work()
        {
            onGitThread = true;
            foreach (Task task in queue.GetConsumingEnumerable())
            {
                TryExecuteTask(task);
            }
        }

        protected override void QueueTask(Task task) => queue.Add(task);

        // Only a Git thread may run a Git task inline; anyone else queues it.
        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
            onGitThread && TryExecuteTask(task);

        protected override IEnumerable<Task> GetScheduledTasks() => queue.ToArray();

        /// <summary>Lets the threads finish what is queued and end; the process's scheduler lives as long as the process.</summary>
        public void Dispose() => queue.CompleteAdding();
    }
}
