using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Payloads;

namespace GitOps.Orchestrations.Engine.Runs;

public sealed record WorkflowRunInput
{
    public required WorkflowSnapshot Snapshot { get; init; }

    public required IReadOnlyDictionary<string, string> Params { get; init; }

    public string StartedBy { get; init; } = "anonymous";

    /// <summary>
    /// Who started the earlier runs of this run's retry chain. Separation of duties follows the
    /// chain: whoever started any run of it may not approve its gates, so terminating a run and
    /// having someone else retry it does not make the starter an approver.
    /// </summary>
    public IReadOnlyList<string> EarlierStarters { get; init; } = [];

    /// <summary>Everyone who started a run of the chain, this one's starter included.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> AllStarters => [.. EarlierStarters.Append(StartedBy).Distinct(StringComparer.Ordinal)];

    /// <summary>Set when this run is a sub-workflow: the run and node that called it.</summary>
    public string? Parent { get; init; }

    /// <summary>
    /// Continue as new after this many finished nodes, when nothing is in flight; 0 never does. Each
    /// checkpoint shortens every later replay but costs one more trip through the backend's queue,
    /// which is nearly free in memory and about a polling interval on Azure Storage, so the host
    /// chooses (see EngineHostOptions).
    /// </summary>
    public int CheckpointEvery { get; init; }

    /// <summary>
    /// At most this many chunks of a wide fan-out at once (<see cref="FanOutDefaults.ChunksAtOnce"/>);
    /// null, as in runs started before there was a bound, runs them all at once.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ChunksAtOnce { get; init; }

    /// <summary>
    /// Where a long run stood when it continued as new to shed its history; for a retry, the nodes
    /// that succeeded in the run it retries. Null on a plain first execution.
    /// </summary>
    public RunProgress? Progress { get; init; }

    /// <summary>When the run started (<c>workflow.creationTimestamp</c>), set by its first episode and kept across continue-as-new.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? CreatedAt { get; init; }

    /// <summary>The run this one retries, when it was started by <c>retry</c>.</summary>
    public string? RetryOf { get; init; }

    /// <summary>What started the run: http, schedule, git, webhook, queue, blob, retry or cli.</summary>
    public string Trigger { get; init; } = "cli";

    /// <summary>The workflow's subscriptions and the host's defaults, as they were when the run started.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<Core.Notifications.SubscriptionSpec> Notifications { get; init; } = [];

    /// <summary>The event that started the run, when a webhook, queue message or blob did.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Core.Events.EventOrigin? Event { get; init; }
}

/// <summary>
/// The state a run carries across <c>ContinueAsNew</c>: every node so far, the absolute deadline,
/// and the change number watchers have seen up to. A large run's nodes are a stored
/// <see cref="Base"/> and, in <see cref="Nodes"/>, only those changed since (<see cref="ProgressCheckpoint"/>).
/// </summary>
public sealed record RunProgress(IReadOnlyList<NodeStatus> Nodes, DateTime? Deadline, int Generation)
{
    public int Seq { get; init; }

    /// <summary>The payload key of the nodes as an earlier checkpoint stored them; null while a run's nodes fit in its input.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Base { get; init; }

    /// <summary>With a <see cref="Base"/>: the place in it of each of <see cref="Nodes"/>; a place past its end appends.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? Places { get; init; }

    /// <summary>Every node: <see cref="Nodes"/> alone, or the base with the changed nodes in their places.</summary>
    public IReadOnlyList<NodeStatus> AllNodes(StoredPayloads? payloads)
    {
        if (Base is null)
        {
            return Nodes;
        }

        List<NodeStatus> all = ProgressCheckpoint.Load(payloads ?? throw new InvalidOperationException("this run's checkpoint is in a payload store, and this host has none"), Base);
        IReadOnlyList<int> places = Places ?? throw new InvalidDataException("a checkpoint with a base names no places for its changed nodes");
        for (int i = 0; i < Nodes.Count; i++)
        {
            int place = places[i];
            if (place < all.Count)
            {
                all[place] = Nodes[i];
            }
            else
            {
                all.Add(Nodes[i]);
            }
        }

        return all;
    }

    /// <summary>Notifications that failed before the checkpoint.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<Notifications.NotificationFailure> NotificationFailures { get; init; } = [];
}

/// <summary>The final record of a run: its phase and every node, as the orchestration's output.</summary>
public sealed record WorkflowRunResult
{
    public required WorkflowPhase Phase { get; init; }

    public string? Message { get; init; }

    public required IReadOnlyList<NodeStatus> Nodes { get; init; }

    /// <summary>The run's declared outputs (<c>spec.outputs</c>), evaluated when its DAG finished.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Outputs { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>The run's last change number, that of its final phase.</summary>
    public int Seq { get; init; }

    /// <summary>Notifications about this run that could not be delivered.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<Notifications.NotificationFailure> NotificationFailures { get; init; } = [];
}
