using System.Text.Json;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>A webhook delivery as received: its headers (names case-insensitive) and its body, already bounded in size.</summary>
public sealed record HookRequest(IReadOnlyDictionary<string, string> Headers, byte[] Body, string? ContentType)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    /// <summary>The body as JSON; a body that is not JSON is the sender's mistake, reported as 400.</summary>
    public JsonElement Json()
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(Body, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new HookPayloadException($"the body is not JSON: {e.Message}");
        }
    }

    /// <summary>A header that must be present, bounded like every event field.</summary>
    public string Required(string name)
    {
        string? value = Header(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new HookPayloadException($"the {name} header is missing");
        }

        return Bounded(name, value);
    }

    public static string Bounded(string what, string value) =>
        value.Length <= Core.Events.IncomingEvent.MaxFieldLength
            ? value
            : throw new HookPayloadException($"{what} is longer than {Core.Events.IncomingEvent.MaxFieldLength} characters");
}

/// <summary>The fields of a payload that become <c>event</c> attributes: strings at a path, bounded like every event field.</summary>
internal static class PayloadFields
{
    public static void Add(Dictionary<string, string> attributes, string name, JsonElement body, params string[] path)
    {
        JsonElement at = body;
        foreach (string step in path)
        {
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(step, out at))
            {
                return;
            }
        }

        if (at.ValueKind == JsonValueKind.String && at.GetString() is { Length: <= Core.Events.IncomingEvent.MaxFieldLength } value)
        {
            attributes[name] = value;
        }
    }
}

/// <summary>A delivery whose signature was checked but whose content cannot be read as its source's events: 400.</summary>
public sealed class HookPayloadException(string message) : Exception(message);
