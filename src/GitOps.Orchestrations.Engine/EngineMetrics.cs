using System.Diagnostics.Metrics;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine;

/// <summary>
/// The engine's instruments, on the BCL metrics API so that the engine needs no exporter: hosts
/// export them (prometheus-net picks up every <see cref="Meter"/>). Orchestrators record only when
/// not replaying, as they log, so a replay never counts a node twice.
/// </summary>
public static class EngineMetrics
{
    /// <summary>prometheus-net prefixes instrument names with the meter's: <c>gitops_orchestrations_runs_started</c> and so on.</summary>
    public const string MeterName = "GitOps.Orchestrations";

    public static Meter Meter { get; } = new(MeterName);

    static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("runs_started", description: "Runs started, by workflow and trigger (http, schedule, git, webhook, queue, blob, retry, cli)");

    static readonly Counter<long> RunsFinished = Meter.CreateCounter<long>("runs_finished", description: "Runs finished, by workflow and phase");

    static readonly Histogram<double> NodeDuration = Meter.CreateHistogram<double>("node_duration_seconds", unit: "s", description: "How long nodes ran, from start to end, by workflow and phase");

    static readonly Histogram<double> ScheduleLag = Meter.CreateHistogram<double>("schedule_lag_seconds", unit: "s", description: "How long after its slot a scheduled run was started");

    static readonly Counter<long> EventsReceivedCounter = Meter.CreateCounter<long>("events_received", description: "Events received, by source (webhook, queue, blob), name (hook, queue or container) and outcome (started, duplicate, ignored, unsigned, malformed, failed)");

    static readonly Counter<long> NotificationsCounter = Meter.CreateCounter<long>("notifications", description: "Notifications, by channel type and outcome (sent, failed, duplicate)");

    public static void EventReceived(string source, string name, string outcome) =>
        EventsReceivedCounter.Add(1, new("source", source), new("name", name), new("outcome", outcome));

    public static void Notification(string channel, string outcome) =>
        NotificationsCounter.Add(1, new("channel", channel), new("outcome", outcome));

    public static void RunStarted(string workflow, string trigger) =>
        RunsStarted.Add(1, new("workflow", workflow), new("trigger", trigger));

    public static void RunEnded(string workflow, WorkflowPhase phase) =>
        RunsFinished.Add(1, new("workflow", workflow), new("phase", phase.ToString()));

    public static void NodeEnded(string workflow, NodeStatus node)
    {
        if (node.StartedAt is DateTime started && node.FinishedAt is DateTime finished)
        {
            NodeDuration.Record((finished - started).TotalSeconds, new("workflow", workflow), new("phase", node.Phase.ToString()));
        }
    }

    public static void ScheduledRunStarted(string workflow, TimeSpan lag) =>
        ScheduleLag.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("workflow", workflow));
}
