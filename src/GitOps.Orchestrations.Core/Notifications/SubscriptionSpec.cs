namespace GitOps.Orchestrations.Core.Notifications;

/// <summary>
/// One subscription (<c>notifications: [{on, to, template, required}]</c>): which triggers, which
/// channels (named; the host configures what each one is and holds its secrets), an optional
/// message template, and whether a notification that cannot be delivered fails the run.
/// </summary>
public sealed record SubscriptionSpec(IReadOnlyList<string> On, IReadOnlyList<string> To, string? Template = null, bool Required = false)
{
    /// <summary>What a template may reference, besides nothing: <c>{{event.trigger}}</c>, <c>{{run.link}}</c> and so on.</summary>
    public static readonly IReadOnlySet<string> TemplatePaths = new HashSet<string>(StringComparer.Ordinal)
    {
        "event.trigger", "event.title", "event.message", "event.node", "event.approvers", "event.phase", "event.at",
        "run.id", "run.workflow", "run.revision", "run.link", "run.startedBy",
    };
}
