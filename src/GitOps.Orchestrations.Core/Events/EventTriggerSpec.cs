using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Events;

/// <summary>Where an event comes from: an HTTP hook, an Azure Storage queue, or blobs in a container.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EventSourceKind>))]
public enum EventSourceKind
{
    Webhook,
    Queue,
    Blob,
}

/// <summary>
/// One event trigger of a workflow (<c>triggers: [{webhook|queue|blob: ...}]</c>), in Argo Events'
/// terms a sensor's dependency, filter and parameters in one: which source it listens to, which of
/// its events fire, and how the event's fields become the run's params. The expressions read the
/// event as the variables <c>event</c> and <c>body</c>; event data never becomes expression code.
/// </summary>
/// <param name="Name">The hook (<c>POST /api/hooks/{name}</c>), queue or container.</param>
/// <param name="Prefix">Blobs only: only names under this prefix fire.</param>
/// <param name="Types">Only events of these types fire (GitHub's <c>push</c>, GitLab's <c>Push Hook</c>, a CloudEvent's type); empty: any.</param>
/// <param name="Filter">An expression over <c>event</c> and <c>body</c>; the trigger fires only when it is true.</param>
/// <param name="Params">Param name to an expression whose value, as text, the param gets.</param>
/// <param name="Revision">An expression giving the commit to pin the run to; absent: the branch head.</param>
public sealed record EventTriggerSpec(
    EventSourceKind Source,
    string Name,
    string? Prefix = null,
    IReadOnlyList<string>? Types = null,
    string? Filter = null,
    IReadOnlyDictionary<string, string>? Params = null,
    string? Revision = null)
{
    /// <summary>The names the trigger's expressions can read.</summary>
    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.Ordinal) { "event", "body" };

    /// <summary>Whether an event from <paramref name="incoming"/>'s source and of its type is one this trigger listens to.</summary>
    public bool Hears(IncomingEvent incoming) =>
        incoming.Source == Source
        && string.Equals(incoming.Name, Name, StringComparison.Ordinal)
        && (Types is not { Count: > 0 } || Types.Contains(incoming.Type, StringComparer.Ordinal))
        && (Prefix is null || (incoming.Subject ?? string.Empty).StartsWith(Prefix, StringComparison.Ordinal));
}
