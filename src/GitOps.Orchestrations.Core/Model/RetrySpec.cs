using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>The bounds of retrying.</summary>
public static class RetryLimits
{
    /// <summary>The largest <c>limit</c> a task may give.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Attempts of a task without a limit, under its workflow's timeout, before the engine stops anyway.</summary>
    public const int MaxUnlimitedAttempts = 10_000;

    /// <summary>What a retry expression reads, besides params, tasks, item and workflow.</summary>
    public static readonly IReadOnlyList<string> ExpressionVariables = ["lastRetry"];
}

/// <summary>Which outcomes a task retries, as Argo's <c>retryPolicy</c> names them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RetryPolicy>))]
public enum RetryPolicy
{
    /// <summary>Retry a Failed attempt (a negative outcome: a status, a condition, a timeout). Argo's default.</summary>
    OnFailure,

    /// <summary>Retry an Errored attempt (the step could not run: unreachable, a broken template).</summary>
    OnError,

    /// <summary>Retry an Errored attempt only when the error may pass (an unreachable server, not a bad request).</summary>
    OnTransientError,

    /// <summary>Retry both.</summary>
    Always,
}

/// <param name="Limit">Retries after the first attempt; null retries until success, which validation allows only under a workflow timeout.</param>
/// <param name="Expression">Evaluated before each retry with <c>lastRetry</c> (<c>status</c>, <c>message</c>, <c>attempt</c>, <c>duration</c> in seconds); false stops retrying.</param>
public sealed record RetrySpec(int? Limit, BackoffSpec? Backoff, RetryPolicy Policy = RetryPolicy.OnFailure, string? Expression = null)
{
    /// <summary>
    /// Whether attempt <paramref name="attempt"/>, which ended <paramref name="phase"/>, is tried
    /// again, and after what delay. Argo's rules: the policy decides which outcomes count; the
    /// delay is <c>duration × factor^(retry − 1)</c>, at most <c>cap</c>; and <c>maxDuration</c> is a
    /// budget from the first attempt: retrying stops when the next delay would pass it.
    /// </summary>
    /// <param name="transient">For an Errored attempt: whether the error may pass if tried again.</param>
    /// <param name="sinceFirstAttempt">Time from the start of the first attempt to now.</param>
    public RetryDecision Next(int attempt, NodePhase phase, bool transient, TimeSpan sinceFirstAttempt)
    {
        bool counts = Policy switch
        {
            RetryPolicy.OnFailure => phase == NodePhase.Failed,
            RetryPolicy.OnError => phase == NodePhase.Errored,
            RetryPolicy.OnTransientError => phase == NodePhase.Errored && transient,
            _ => phase is NodePhase.Failed or NodePhase.Errored,
        };
        if (!counts)
        {
            return RetryDecision.Stop(phase is NodePhase.Failed or NodePhase.Errored ? $"retryPolicy {Policy} does not retry {phase.ToString().ToLowerInvariant()} attempts" : null);
        }

        if (attempt > (Limit ?? RetryLimits.MaxUnlimitedAttempts - 1))
        {
            return RetryDecision.Stop(null);
        }

        TimeSpan delay = DelayBefore(attempt + 1);
        if (Backoff?.MaxDuration is TimeSpan budget && sinceFirstAttempt + delay > budget)
        {
            return RetryDecision.Stop($"backoff.maxDuration {Durations.Format(budget)} would pass before the next attempt");
        }

        return new RetryDecision(true, delay, null);
    }

    /// <summary>
    /// The spec as the first releases read it, for runs they started: <c>maxDuration</c> capped each
    /// delay, an empty <c>retry</c> retried nothing, and every failure and error was retried.
    /// </summary>
    public RetrySpec AsFirstReleaseRead() => this with
    {
        Limit = Limit ?? 0,
        Policy = RetryPolicy.Always,
        Expression = null,
        Backoff = Backoff is null ? null : Backoff with { Cap = Backoff.MaxDuration ?? Backoff.Cap, MaxDuration = null },
    };

    /// <summary>The delay before attempt <paramref name="nextAttempt"/> (2 is the first retry).</summary>
    public TimeSpan DelayBefore(int nextAttempt)
    {
        if (Backoff is null || nextAttempt < 2)
        {
            return TimeSpan.Zero;
        }

        double seconds = Backoff.Duration.TotalSeconds * Math.Pow(Backoff.Factor, nextAttempt - 2);
        TimeSpan delay = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
        return Backoff.Cap is TimeSpan cap && delay > cap ? cap : delay;
    }
}

/// <param name="MaxDuration">Argo's meaning: a budget from the first attempt, not a cap on each delay (that is <paramref name="Cap"/>).</param>
/// <param name="Cap">The longest any one delay may be.</param>
public sealed record BackoffSpec(TimeSpan Duration, double Factor = 1, TimeSpan? MaxDuration = null, TimeSpan? Cap = null);

/// <param name="Because">Why retrying stops when the reason is worth telling (a policy or the budget); null at the plain limit.</param>
public sealed record RetryDecision(bool Retry, TimeSpan Delay, string? Because)
{
    public static RetryDecision Stop(string? because) => new(false, TimeSpan.Zero, because);
}
