using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Notifications;

/// <summary>
/// Something that happened to a run that people or systems may want to hear of. Built by an
/// orchestrator from its own state, so every replay builds the same one; <see cref="Key"/> names
/// this occurrence (the trigger and where it happened) and, with a channel, makes the idempotency
/// key its delivery is sent and recorded under.
/// </summary>
public sealed record NotificationEvent
{
    public required string Trigger { get; init; }

    /// <summary>Unique within the run: the trigger, and the node, step or freight it concerns.</summary>
    public required string Key { get; init; }

    public required string RunId { get; init; }

    public required string Workflow { get; init; }

    public string Revision { get; init; } = string.Empty;

    public string? StartedBy { get; init; }

    public string? Node { get; init; }

    public string? Phase { get; init; }

    public string? Message { get; init; }

    /// <summary>For a waiting gate: who may decide it.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    public DateTime At { get; init; }

    public string Title => NotificationTriggers.All.GetValueOrDefault(Trigger, Trigger);

    /// <summary>The message when a subscription has no template: readable as it is, in plain text.</summary>
    public string DefaultText(string? link)
    {
        var text = new StringBuilder($"{Title}: {Workflow} run {RunId}");
        if (Node is not null)
        {
            text.Append($", {Node}");
        }

        if (Phase is not null)
        {
            text.Append($" ({Phase})");
        }

        if (Message is { Length: > 0 })
        {
            text.Append($"\n{Message}");
        }

        if (Approvers.Count > 0)
        {
            text.Append($"\nWho may decide: {string.Join(", ", Approvers)}");
        }

        if (link is not null)
        {
            text.Append($"\n{link}");
        }

        return text.ToString();
    }

    /// <summary>The message a subscription's template makes; references resolve only to this event's fields.</summary>
    public string Render(string template, string? link) => Template.Render(template, new Scope(this, link));

    sealed class Scope(NotificationEvent e, string? link) : ITemplateScope
    {
        public bool TryResolve(string path, out JsonElement value)
        {
            object? found = path switch
            {
                "event.trigger" => e.Trigger,
                "event.title" => e.Title,
                "event.message" => e.Message ?? string.Empty,
                "event.node" => e.Node ?? string.Empty,
                "event.approvers" => string.Join(", ", e.Approvers),
                "event.phase" => e.Phase ?? string.Empty,
                "event.at" => e.At.ToString("o"),
                "run.id" => e.RunId,
                "run.workflow" => e.Workflow,
                "run.revision" => e.Revision,
                "run.link" => link ?? string.Empty,
                "run.startedBy" => e.StartedBy ?? string.Empty,
                _ => null,
            };
            value = found is null ? default : JsonSerializer.SerializeToElement(found);
            return found is not null;
        }
    }
}
