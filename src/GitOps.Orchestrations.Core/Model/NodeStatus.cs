using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>What is known about one DAG node: the unit of run status, CLI output and the HTTP API.</summary>
public sealed class NodeStatus
{
    public required string Name { get; init; }

    NodePhase phase = NodePhase.Pending;
    string? message;
    int attempts;

    public NodePhase Phase
    {
        get => phase;
        set => (phase, Revision) = (value, Revision + 1);
    }

    /// <summary>
    /// Grows each time <see cref="Phase"/>, <see cref="Attempts"/> or <see cref="Message"/> is set, so a
    /// run that numbers its changes on every step looks again only at the nodes that were touched:
    /// a 5,000-node run otherwise compared every node on every replayed step. Not part of any output.
    /// </summary>
    [JsonIgnore]
    public int Revision { get; private set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? StartedAt { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? FinishedAt { get; set; }

    public int Attempts
    {
        get => attempts;
        set => (attempts, Revision) = (value, Revision + 1);
    }

    [JsonIgnore]
    public Dictionary<string, JsonElement> Outputs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// <see cref="Outputs"/> as written: left out when empty, as most nodes' are. Every checkpoint
    /// carries every node, and on Azure Storage an input past about 32K characters moves to a blob
    /// that each replay then fetches (measured: a 200-node chain went from 6 s to 8 s).
    /// </summary>
    [JsonInclude]
    [JsonPropertyName("outputs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    Dictionary<string, JsonElement>? WrittenOutputs
    {
        get => Outputs.Count == 0 ? null : Outputs;
        set => Outputs = value ?? new(StringComparer.Ordinal);
    }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message
    {
        get => message;
        set => (message, Revision) = (value, Revision + 1);
    }

    /// <summary>Present for fan-out nodes only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FanOutSummary? Items { get; set; }

    /// <summary>Decisions taken at an approval gate, in order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ApprovalRecord>? Approvals { get; set; }

    /// <summary>
    /// The run-wide change number of this node's latest change. Numbers only grow, so a watcher that
    /// saw change N asks for the nodes above N (the event stream's <c>Last-Event-ID</c>).
    /// </summary>
    public int Seq { get; set; }

    /// <summary>A copy to change without changing this one; what it holds that a run never changes in place is shared.</summary>
    public NodeStatus Copy() => new()
    {
        Name = Name,
        Phase = Phase,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Attempts = Attempts,
        Outputs = new Dictionary<string, JsonElement>(Outputs, StringComparer.Ordinal),
        Message = Message,
        Items = Items,
        Approvals = Approvals is null ? null : [.. Approvals],
        Seq = Seq,
    };
}

public sealed record FanOutSummary(int Total, int Succeeded, int Failed, int Errored, int Skipped)
{
    public bool AnySucceeded => Succeeded > 0;

    public bool AllFailed => Total > 0 && Failed + Errored == Total;

    /// <summary>Argo's rule: any failure fails the group, otherwise any error errors it.</summary>
    public NodePhase Phase => Total == Skipped ? NodePhase.Skipped
        : Failed > 0 ? NodePhase.Failed
        : Errored > 0 ? NodePhase.Errored
        : NodePhase.Succeeded;

    public static FanOutSummary Of(IEnumerable<NodePhase> phases)
    {
        int total = 0, succeeded = 0, failed = 0, errored = 0, skipped = 0;
        foreach (NodePhase phase in phases)
        {
            total++;
            switch (phase)
            {
                case NodePhase.Succeeded: succeeded++; break;
                case NodePhase.Failed: failed++; break;
                case NodePhase.Errored: errored++; break;
                default: skipped++; break;
            }
        }

        return new FanOutSummary(total, succeeded, failed, errored, skipped);
    }
}

/// <summary>
/// One decision at an approval gate: who, when, what and why. <paramref name="Decision"/> is
/// <c>approve</c> or <c>reject</c>; a decision the gate did not accept is kept as <c>refused:approve</c>
/// or <c>refused:reject</c>, with the reason in <paramref name="Comment"/>.
/// </summary>
public sealed record ApprovalRecord(string Decision, string By, DateTime At, string? Comment);
