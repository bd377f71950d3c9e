using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Locks;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// <c>synchronization</c>: mutexes and semaphores held across runs, on both backends (the two
/// classes at the end). Each run waits at an approval gate while it holds its lock, so the tests
/// decide when a holder lets go.
/// </summary>
public abstract class SynchronizationTests(EngineBackend backend)
{
    static string Workflow(string name, string synchronization, string? timeout = null) =>
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n"
        + $"metadata: {{name: {name}}}\n"
        + $"spec:\n  synchronization: {synchronization}\n"
        + (timeout is null ? "" : $"  timeout: {timeout}\n")
        + """
          tasks:
            - {name: gate, uses: approval, with: {approvers: [alice]}}
            - {name: after, uses: log, depends: gate, with: {message: done}}
        """;

    static string LockName() => $"l{Guid.NewGuid():N}"[..12];

    WorkflowRunClient Runs => backend.Engine.Runs;

    async Task<string> StartAsync(string yaml) =>
        await Runs.StartAsync(EngineBackend.Snapshot(yaml), null, "tester", $"sync-{Guid.NewGuid():N}");

    async Task<RunStatus> StatusAsync(string id) => (await Runs.GetAsync(id))!;

    Task AtGateAsync(string id) => Eventually.True(async () => (await StatusAsync(id)).Waiting.Contains("gate"), $"{id} to hold the lock and wait at its gate");

    Task WaitingAsync(string id, int position) => Eventually.True(async () => (await StatusAsync(id)).WaitingForLock?.Position == position, $"{id} to wait for the lock at position {position}");

    async Task<RunStatus> ApproveAndFinishAsync(string id)
    {
        await Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
    }

    [Fact]
    public async Task Runs_holding_a_mutex_run_one_after_the_other_in_the_order_they_asked()
    {
        string yaml = Workflow("serial", $"{{mutex: {LockName()}}}");
        string first = await StartAsync(yaml);
        await AtGateAsync(first);
        string second = await StartAsync(yaml);
        await WaitingAsync(second, 1);
        string third = await StartAsync(yaml);
        await WaitingAsync(third, 2);

        RunStatus waiting = await StatusAsync(second);
        Assert.Equal(WorkflowPhase.Pending, waiting.Phase);
        Assert.Equal(LockKind.Mutex, waiting.WaitingForLock!.Lock.Kind);
        Assert.Equal([first], waiting.WaitingForLock.HeldBy);
        Assert.All(waiting.Nodes, n => Assert.Null(n.StartedAt));
        Assert.Contains((await Runs.ListAsync(new RunQuery { Workflow = "serial", Phase = WorkflowPhase.Pending, Top = 1000 })).Runs, r => r.Id == second && r.WaitingForLock is not null);

        RunStatus one = await ApproveAndFinishAsync(first);
        await AtGateAsync(second);
        await WaitingAsync(third, 1);
        RunStatus two = await ApproveAndFinishAsync(second);
        await AtGateAsync(third);
        RunStatus three = await ApproveAndFinishAsync(third);

        Assert.All([one, two, three], r => Assert.Equal(WorkflowPhase.Succeeded, r.Phase));
        Assert.True(two.Nodes.Single(n => n.Name == "gate").StartedAt >= one.Nodes.Single(n => n.Name == "after").FinishedAt, "the second run started after the first ended");
        Assert.True(three.Nodes.Single(n => n.Name == "gate").StartedAt >= two.Nodes.Single(n => n.Name == "after").FinishedAt, "the third run started after the second ended");
    }

    [Fact]
    public async Task A_semaphore_admits_its_limit_and_the_next_run_when_one_lets_go()
    {
        string yaml = Workflow("pool", $"{{semaphore: {LockName()}, limit: 2}}");
        string a = await StartAsync(yaml);
        string b = await StartAsync(yaml);
        await AtGateAsync(a);
        await AtGateAsync(b);
        string c = await StartAsync(yaml);
        await WaitingAsync(c, 1);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), (await StatusAsync(c)).WaitingForLock!.HeldBy.Order(StringComparer.Ordinal));

        await ApproveAndFinishAsync(b);
        await AtGateAsync(c);
        Assert.All(await Task.WhenAll(ApproveAndFinishAsync(a), ApproveAndFinishAsync(c)), r => Assert.Equal(WorkflowPhase.Succeeded, r.Phase));
    }

    [Fact]
    public async Task Terminating_the_holder_releases_the_lock_and_a_stopped_waiter_leaves_the_queue()
    {
        string yaml = Workflow("killed", $"{{mutex: {LockName()}}}");
        string holder = await StartAsync(yaml);
        await AtGateAsync(holder);
        string stopped = await StartAsync(yaml);
        await WaitingAsync(stopped, 1);
        string next = await StartAsync(yaml);
        await WaitingAsync(next, 2);

        // A waiter stopped by a person ends Terminated without ever starting, and leaves the queue.
        await Runs.StopAsync(stopped, "bob", "not needed");
        await Eventually.True(async () => (await StatusAsync(stopped)).Phase == WorkflowPhase.Terminated, "the waiter to stop");
        Assert.All((await StatusAsync(stopped)).Nodes, n => Assert.Null(n.StartedAt));
        await WaitingAsync(next, 1);

        await Runs.TerminateAsync(holder, "killed");
        await AtGateAsync(next);
        Assert.Equal(WorkflowPhase.Succeeded, (await ApproveAndFinishAsync(next)).Phase);
    }

    [Fact]
    public async Task A_holder_terminated_behind_the_engines_back_is_released_by_the_locks_own_check()
    {
        string yaml = Workflow("orphan", $"{{mutex: {LockName()}}}");
        string holder = await StartAsync(yaml);
        await AtGateAsync(holder);
        string next = await StartAsync(yaml);
        await WaitingAsync(next, 1);

        // Straight through the backend: nothing tells the lock, so only its check can free it.
        await backend.Engine.Client.TerminateInstanceAsync(holder, "gone");
        await AtGateAsync(next);
        Assert.Equal(WorkflowPhase.Succeeded, (await ApproveAndFinishAsync(next)).Phase);
    }

    [Fact]
    public async Task A_waiter_that_vanished_from_the_store_is_passed_over_and_the_next_run_gets_the_lock()
    {
        string yaml = Workflow("vanished", $"{{mutex: {LockName()}}}");
        string holder = await StartAsync(yaml);
        await AtGateAsync(holder);
        string gone = await StartAsync(yaml);
        await WaitingAsync(gone, 1);
        string next = await StartAsync(yaml);
        await WaitingAsync(next, 2);

        // Terminated and purged behind the engine's back: the grant it is due has no one to reach.
        await backend.Engine.Client.TerminateInstanceAsync(gone, "gone");
        await Eventually.True(async () => (await backend.Engine.Client.GetInstanceAsync(gone))?.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated, "the waiter to be terminated");
        await backend.Engine.Client.PurgeInstanceAsync(gone);
        await ApproveAndFinishAsync(holder);
        await AtGateAsync(next);
        Assert.Equal(WorkflowPhase.Succeeded, (await ApproveAndFinishAsync(next)).Phase);
    }

    [Fact]
    public async Task A_forged_grant_is_refused_and_the_run_keeps_waiting()
    {
        string name = LockName();
        string yaml = Workflow("forged", $"{{mutex: {name}}}");
        string holder = await StartAsync(yaml);
        await AtGateAsync(holder);
        string waiter = await StartAsync(yaml);
        await WaitingAsync(waiter, 1);

        await backend.Engine.Client.RaiseEventAsync(waiter, RunLocks.GrantedEvent, new LockGrant($"gitops-lock:mutex:{name}"));
        await backend.Engine.Client.RaiseEventAsync(RunLocks.InstanceId(new SynchronizationSpec(LockKind.Mutex, name, 1)), RunLocks.Event, new LockMessage(holder, LockAction.Release));

        // A run asking after them is queued after them: by then both were taken, and refused.
        string later = await StartAsync(yaml);
        await WaitingAsync(later, 2);
        RunStatus waiting = await StatusAsync(waiter);
        Assert.Equal(WorkflowPhase.Pending, waiting.Phase);
        Assert.Equal([holder], waiting.WaitingForLock!.HeldBy);
        await Runs.StopAsync(later, "tester", null);
        await ApproveAndFinishAsync(holder);
        await AtGateAsync(waiter);
        Assert.Equal(WorkflowPhase.Succeeded, (await ApproveAndFinishAsync(waiter)).Phase);
    }

    [Fact]
    public async Task A_run_that_times_out_waiting_fails_without_starting_and_leaves_the_queue()
    {
        string name = LockName();
        string holder = await StartAsync(Workflow("patient", $"{{mutex: {name}}}"));
        await AtGateAsync(holder);
        string impatient = await StartAsync(Workflow("impatient", $"{{mutex: {name}}}", timeout: "2s"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        RunStatus run = await Runs.WatchAsync(impatient, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);

        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Contains("while waiting for mutex " + name, run.Message, StringComparison.Ordinal);
        Assert.All(run.Nodes, n => Assert.Null(n.StartedAt));
        Assert.Equal(WorkflowPhase.Succeeded, (await ApproveAndFinishAsync(holder)).Phase);
    }
}

/// <summary>
/// Many runs through one mutex, more messages than a lock takes before it continues as new: the
/// queue survives it, every run gets its turn, and no two ever overlap (from node timestamps).
/// </summary>
public sealed class LockChurnTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    [Fact]
    public async Task Sixty_runs_through_one_mutex_each_run_alone()
    {
        string mutex = $"c{Guid.NewGuid():N}"[..12];
        WorkflowSnapshot snapshot = EngineBackend.Snapshot($"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: churn}}\nspec:\n  synchronization: {{mutex: {mutex}}}\n" + """
              tasks:
                - {name: a, uses: log, with: {message: a}}
                - {name: b, uses: log, depends: a, with: {message: b}}
            """);
        string[] ids = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => backend.Engine.Runs.StartAsync(snapshot, null, "tester", $"churn-{i}-{Guid.NewGuid():N}")));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        RunStatus[] runs = await Task.WhenAll(ids.Select(id => backend.Engine.Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(250), timeout.Token)));

        Assert.All(runs, r => Assert.Equal(WorkflowPhase.Succeeded, r.Phase));
        var spans = runs.Select(r => (Start: r.Nodes.Min(n => n.StartedAt!.Value), End: r.Nodes.Max(n => n.FinishedAt!.Value))).OrderBy(s => s.Start).ToList();
        for (int i = 1; i < spans.Count; i++)
        {
            Assert.True(spans[i].Start >= spans[i - 1].End, $"run {i} started at {spans[i].Start:O} before run {i - 1} ended at {spans[i - 1].End:O}");
        }
    }
}

public sealed class MemorySynchronizationTests(MemoryBackend backend) : SynchronizationTests(backend), IClassFixture<MemoryBackend>;

public sealed class AzuriteSynchronizationTests(AzuriteBackend backend) : SynchronizationTests(backend), IClassFixture<AzuriteBackend>;
