using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>Argo's retry rules, as a table: which outcomes retry, after what delay, and where the budget stops them.</summary>
public class RetryTests
{
    static readonly BackoffSpec Doubling = new(TimeSpan.FromSeconds(1), Factor: 2);

    public static TheoryData<RetrySpec, int, NodePhase, bool, double, bool, double> Cases => new()
    {
        // spec, attempt that just ended, its phase, transient, seconds since the first attempt, retry?, delay seconds
        { new RetrySpec(3, Doubling), 1, NodePhase.Failed, false, 0, true, 1 },
        { new RetrySpec(3, Doubling), 2, NodePhase.Failed, false, 1, true, 2 },
        { new RetrySpec(3, Doubling), 3, NodePhase.Failed, false, 3, true, 4 },
        { new RetrySpec(3, Doubling), 4, NodePhase.Failed, false, 7, false, 0 },                  // limit reached
        { new RetrySpec(3, Doubling), 1, NodePhase.Errored, true, 0, false, 0 },                  // OnFailure (the default) leaves errors alone
        { new RetrySpec(3, Doubling, RetryPolicy.OnError), 1, NodePhase.Errored, false, 0, true, 1 },
        { new RetrySpec(3, Doubling, RetryPolicy.OnError), 1, NodePhase.Failed, false, 0, false, 0 },
        { new RetrySpec(3, Doubling, RetryPolicy.OnTransientError), 1, NodePhase.Errored, true, 0, true, 1 },
        { new RetrySpec(3, Doubling, RetryPolicy.OnTransientError), 1, NodePhase.Errored, false, 0, false, 0 },
        { new RetrySpec(3, Doubling, RetryPolicy.Always), 1, NodePhase.Errored, false, 0, true, 1 },
        { new RetrySpec(3, Doubling, RetryPolicy.Always), 1, NodePhase.Failed, false, 0, true, 1 },

        // maxDuration is a budget from the first attempt (Argo): 11 retries with a per-delay cap became 3.
        { new RetrySpec(10, Doubling with { MaxDuration = TimeSpan.FromSeconds(5) }), 1, NodePhase.Failed, false, 0.2, true, 1 },
        { new RetrySpec(10, Doubling with { MaxDuration = TimeSpan.FromSeconds(5) }), 2, NodePhase.Failed, false, 1.4, true, 2 },
        { new RetrySpec(10, Doubling with { MaxDuration = TimeSpan.FromSeconds(5) }), 3, NodePhase.Failed, false, 3.6, false, 0 }, // 3.6 + 4 > 5
        { new RetrySpec(10, Doubling with { Cap = TimeSpan.FromSeconds(3) }), 5, NodePhase.Failed, false, 20, true, 3 },          // cap bounds each delay

        // No limit: until success (under a workflow timeout, which validation requires).
        { new RetrySpec(null, null), 500, NodePhase.Failed, false, 600, true, 0 },
        { new RetrySpec(null, null), RetryLimits.MaxUnlimitedAttempts, NodePhase.Failed, false, 600, false, 0 },
        { new RetrySpec(0, null), 1, NodePhase.Failed, false, 0, false, 0 },

        // Runs the first releases started keep their reading (OrchestrationVersions): maxDuration capped
        // each delay, every failure and error retried, and no limit meant no retry.
        { new RetrySpec(10, Doubling with { MaxDuration = TimeSpan.FromSeconds(5) }).AsFirstReleaseRead(), 5, NodePhase.Failed, false, 20, true, 5 },
        { new RetrySpec(3, Doubling).AsFirstReleaseRead(), 1, NodePhase.Errored, false, 0, true, 1 },
        { new RetrySpec(null, null).AsFirstReleaseRead(), 1, NodePhase.Failed, false, 0, false, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Next_follows_argo(RetrySpec spec, int attempt, NodePhase phase, bool transient, double since, bool retry, double delay)
    {
        RetryDecision next = spec.Next(attempt, phase, transient, TimeSpan.FromSeconds(since));
        Assert.Equal(retry, next.Retry);
        Assert.Equal(TimeSpan.FromSeconds(delay), next.Delay);
    }

    [Fact]
    public void The_first_releases_had_no_retry_expressions()
    {
        Assert.Null(new RetrySpec(3, Doubling, Expression: "false").AsFirstReleaseRead().Expression);
    }

    [Fact]
    public void The_reason_to_stop_is_told_when_it_is_not_the_plain_limit()
    {
        Assert.Contains("backoff.maxDuration 5s would pass", new RetrySpec(10, Doubling with { MaxDuration = TimeSpan.FromSeconds(5) }).Next(3, NodePhase.Failed, false, TimeSpan.FromSeconds(3.6)).Because, StringComparison.Ordinal);
        Assert.Contains("retryPolicy OnFailure does not retry errored attempts", new RetrySpec(3, null).Next(1, NodePhase.Errored, false, TimeSpan.Zero).Because, StringComparison.Ordinal);
        Assert.Null(new RetrySpec(1, null).Next(2, NodePhase.Failed, false, TimeSpan.Zero).Because);
    }

    [Fact]
    public void Retry_without_a_limit_needs_a_workflow_timeout_and_policies_and_expressions_are_checked()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}, retry: {}}
              - {name: b, uses: log, with: {message: x}, retry: {limit: 2, retryPolicy: Sometimes}}
              - {name: c, uses: log, with: {message: x}, retry: {limit: 2, expression: "lastRetry.status == 'Failed' && nope"}}
              - {name: d, uses: log, with: {message: x}, retry: {limit: 2, expression: "lastRetry.attempt < 2 && params.x == 'y'"}}
            """, extraSpec: "  params: [{name: x}]\n"));
        Assert.Equal(3, errors.Length);
        Assert.Contains(errors, e => e.Contains("retry without a limit retries until success", StringComparison.Ordinal) && e.StartsWith("wf.yaml:7:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("retryPolicy must be OnFailure, OnError, OnTransientError, Always, not 'Sometimes'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown name 'nope'", StringComparison.Ordinal));
        Assert.Empty(Load.Errors(Load.Workflow("    - {name: a, uses: log, with: {message: x}, retry: {}}\n", extraSpec: "  timeout: 10m\n")));
    }
}
