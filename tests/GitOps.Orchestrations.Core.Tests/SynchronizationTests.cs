using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary><c>synchronization</c>: how it is written and refused, and the queue rules of a lock.</summary>
public class SynchronizationTests
{
    const string Task = "    - {name: a, uses: log, with: {message: x}}";

    [Fact]
    public void A_mutex_and_a_semaphore_are_read_into_the_workflow()
    {
        Assert.Equal(new SynchronizationSpec(LockKind.Mutex, "deploy-prod", 1), Load.Text(Load.Workflow(Task, "  synchronization: {mutex: deploy-prod}\n")).Workflows.Single().Definition.Synchronization);
        Assert.Equal(new SynchronizationSpec(LockKind.Semaphore, "builds", 3), Load.Text(Load.Workflow(Task, "  synchronization: {semaphore: builds, limit: 3}\n")).Workflows.Single().Definition.Synchronization);
        Assert.Null(Load.Text(Load.Workflow(Task)).Workflows.Single().Definition.Synchronization);
    }

    [Theory]
    [InlineData("{mutex: a, semaphore: b, limit: 2}", "wf.yaml:5:20", "names one lock")]
    [InlineData("{}", "wf.yaml:5:20", "names one lock")]
    [InlineData("{mutex: Deploy_Prod}", "wf.yaml:5:28", "lock name 'Deploy_Prod' must be a DNS label")]
    [InlineData("{mutex: a, limit: 2}", "wf.yaml:5:38", "limit belongs to a semaphore")]
    [InlineData("{semaphore: builds}", "wf.yaml:5:20", "a semaphore needs limit")]
    [InlineData("{semaphore: builds, limit: 0}", "wf.yaml:5:47", "limit")]
    [InlineData("{mutex: a, wait: true}", "wf.yaml:5:", "unknown field 'wait'")]
    [InlineData("deploy", "wf.yaml:5:20", "synchronization must be a mapping")]
    public void Bad_synchronization_is_refused_at_its_place(string written, string at, string says)
    {
        string[] errors = Load.Errors(Load.Workflow(Task, $"  synchronization: {written}\n"));
        Assert.Contains(errors, e => e.StartsWith(at, StringComparison.Ordinal) && e.Contains(says, StringComparison.Ordinal));
    }

    [Fact]
    public void A_template_cannot_hold_a_lock_its_callers_would_never_see()
    {
        string[] errors = Load.Errors("""
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: t}
            spec:
              synchronization: {mutex: m}
              task: {uses: log, with: {message: x}}
            """);
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:5:3", StringComparison.Ordinal) && e.Contains("unknown field 'synchronization'", StringComparison.Ordinal));
    }

    // Each row: the queue (holders | waiting, limit), what happens, the queue after and who was granted.
    [Theory]
    [InlineData("|", 1, "ask a", "a|", "a")]
    [InlineData("a|", 1, "ask b", "a|b", "")]
    [InlineData("a|b", 1, "ask b", "a|b", "")]
    [InlineData("a|b", 1, "ask a", "a|b", "")]
    [InlineData("a|b,c", 1, "release a", "b|c", "b")]
    [InlineData("a|b,c", 1, "release c", "a|b", "")]
    [InlineData("a|b,c", 1, "release z", "a|b,c", "")]
    [InlineData("a|b,c,d", 3, "ask e", "a,b,c|d,e", "b,c")]
    [InlineData("a,b,c|d", 2, "release a", "b,c|d", "")]
    [InlineData("a,b|c,d", 2, "release a,b", "c,d|", "c,d")]
    public void The_queue_is_first_come_first_served_within_the_limit(string before, int limit, string what, string after, string granted)
    {
        static string[] List(string text) => text.Length == 0 ? [] : text.Split(',');
        string[] parts = before.Split('|');
        var queue = new LockQueue { Limit = limit, Holders = List(parts[0]), Waiting = List(parts[1]) };
        string[] action = what.Split(' ');
        queue = action[0] == "ask" ? queue.Ask(action[1], limit) : queue.Release(List(action[1]));
        (LockQueue next, IReadOnlyList<string> given) = queue.Grant();
        Assert.Equal(after, $"{string.Join(',', next.Holders)}|{string.Join(',', next.Waiting)}");
        Assert.Equal(granted, string.Join(',', given));
    }

    [Fact]
    public void A_lower_limit_takes_nothing_from_holders_and_a_higher_one_admits_more()
    {
        var queue = new LockQueue { Limit = 3, Holders = ["a", "b", "c"] };
        (LockQueue lowered, IReadOnlyList<string> none) = queue.Ask("d", 1).Grant();
        Assert.Equal(["a", "b", "c"], lowered.Holders);
        Assert.Empty(none);
        (LockQueue raised, IReadOnlyList<string> admitted) = lowered.Ask("e", 5).Grant();
        Assert.Equal(["d", "e"], admitted);
        Assert.Equal(5, raised.Holders.Count);
    }
}
