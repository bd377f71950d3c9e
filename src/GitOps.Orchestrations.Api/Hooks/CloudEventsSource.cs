using System.Net.Http.Headers;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using GitOps.Orchestrations.Core.Events;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// CloudEvents over HTTP, structured (<c>application/cloudevents+json</c>) or binary (<c>ce-*</c>
/// headers), read by the CNCF SDK. Signed as generic hooks are (<see cref="HmacSource.SignatureHeader"/>
/// over the raw body), since the CloudEvents HTTP binding leaves authentication to the transport.
/// The event's <c>source</c> and <c>id</c> identify it, as the specification says they do.
/// </summary>
public sealed class CloudEventsSource : IWebhookSource
{
    static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(), new JsonDocumentOptions { MaxDepth = 64 });

    public string Type => "cloudevents";

    public bool Verify(HookRequest request, string secret) =>
        HmacSignature.Matches(request.Header(HmacSource.SignatureHeader), request.Body, secret);

    public async Task<IncomingEvent> ReadAsync(string hook, HookRequest request, CancellationToken cancellationToken)
    {
        // The SDK reads HttpRequestMessage; the delivery's bytes and headers are copied into one.
        using var message = new HttpRequestMessage(HttpMethod.Post, "http://localhost/") { Content = new ByteArrayContent(request.Body) };
        if (request.ContentType is not null && MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? contentType))
        {
            message.Content.Headers.ContentType = contentType;
        }

        foreach (var (name, value) in request.Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = await message.ToCloudEventAsync(Formatter);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException or FormatException)
        {
            throw new HookPayloadException($"not a CloudEvent: {e.Message}");
        }

        JsonElement data = cloudEvent.Data switch
        {
            null => JsonSerializer.SerializeToElement<object?>(null),
            JsonElement json => json,
            string text => JsonSerializer.SerializeToElement(text),
            byte[] bytes => JsonSerializer.SerializeToElement(Convert.ToBase64String(bytes)),
            object other => JsonSerializer.SerializeToElement(other.ToString()),
        };
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["specversion"] = cloudEvent.SpecVersion.VersionId,
            ["source"] = HookRequest.Bounded("source", cloudEvent.Source!.ToString()),
        };
        if (cloudEvent.Time is DateTimeOffset time)
        {
            attributes["time"] = time.ToString("o");
        }

        string id = $"{attributes["source"]}#{HookRequest.Bounded("id", cloudEvent.Id!)}";
        return new IncomingEvent(EventSourceKind.Webhook, hook, id, HookRequest.Bounded("type", cloudEvent.Type!), data, cloudEvent.Subject is string subject ? HookRequest.Bounded("subject", subject) : null, attributes);
    }
}
