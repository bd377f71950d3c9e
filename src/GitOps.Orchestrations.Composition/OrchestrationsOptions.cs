using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Composition;

/// <summary>
/// What a host decides about the engine, whatever its transport. Hosts bind these from their own
/// configuration (command line, server config, Functions app settings); nothing here reads the
/// environment.
/// </summary>
public sealed record OrchestrationsOptions
{
    /// <summary>Signs people's decisions and commands, and lets gates check them (docs/security.md).</summary>
    public required ApprovalAuthority Approvals { get; init; }

    /// <summary>The task types workflows may use; the built-in ones unless a capability adds its own.</summary>
    public TaskTypeRegistry TaskTypes { get; init; } = TaskTypeRegistry.BuiltIn();

    /// <summary>Where outbound HTTP may go (http steps, metric providers, chart repositories).</summary>
    public EgressPolicy Egress { get; init; } = EgressPolicy.Default;

    /// <summary>Clone cache, renders and the clusters workflows may name.</summary>
    public DeliveryOptions Delivery { get; init; } = new();

    /// <summary>Notification channels, server-wide subscriptions and the dashboard's address (docs/events.md).</summary>
    public Engine.Notifications.NotificationOptions Notifications { get; init; } = new();
}
