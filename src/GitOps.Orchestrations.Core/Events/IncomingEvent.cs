using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.Orchestrations.Core.Events;

/// <summary>
/// One event as it arrived, already verified and parsed by its source, in the shape every trigger
/// reads: its source and name (the hook, queue or container), the id its sender gives every
/// redelivery alike (a GitHub delivery, a queue message, a blob's name and version), its type, the
/// subject (a blob's name, a CloudEvent's subject), the payload as <c>body</c>, and the rest of what
/// is known about it (headers that matter, blob metadata) as <c>event</c>.
/// </summary>
public sealed record IncomingEvent(
    EventSourceKind Source,
    string Name,
    string Id,
    string Type,
    JsonElement Body,
    string? Subject = null,
    IReadOnlyDictionary<string, string>? Attributes = null)
{
    /// <summary>Event ids, types and subjects longer than this are refused: they are kept in run inputs and shown to people.</summary>
    public const int MaxFieldLength = 1024;

    /// <summary>What the run records about the event that started it.</summary>
    public EventOrigin Origin => new(Source, Name, Id, Type, Subject);

    /// <summary>The variables a trigger's expressions read: <c>event</c> (everything but the payload) and <c>body</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Variables()
    {
        var described = new Dictionary<string, object?>
        {
            ["source"] = Source.ToString().ToLowerInvariant(),
            ["name"] = Name,
            ["id"] = Id,
            ["type"] = Type,
            ["subject"] = Subject,
        };
        foreach (var (key, value) in Attributes ?? new Dictionary<string, string>())
        {
            described.TryAdd(key, value);
        }

        return new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["event"] = JsonSerializer.SerializeToElement(described),
            ["body"] = Body,
        };
    }

    /// <summary>
    /// The run an event starts for a workflow: the same on every host and for every redelivery, so
    /// the second delivery finds the first run. Hashed, because ids come from outside and may hold
    /// anything; 16 hex digits keep accidental collisions out of reach for any realistic number of events.
    /// </summary>
    public string RunIdFor(string workflow)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Source}\n{Name}\n{Id}"));
        return $"{workflow}.{Source.ToString().ToLowerInvariant()}.{Convert.ToHexStringLower(hash)[..16]}";
    }
}

/// <summary>The event that started a run, as the run keeps it: enough to find it at its sender.</summary>
public sealed record EventOrigin(EventSourceKind Source, string Name, string Id, string Type, string? Subject);
