using System.Net.Http.Headers;
using System.Text.Json;

namespace GitOps.Orchestrations.Engine.Notifications.Channels;

/// <summary>What the three HTTP channels share: a JSON POST with the idempotency key, and a failure for anything but 2xx.</summary>
public abstract class HttpChannel(IHttpClientFactory clients) : INotificationChannel
{
    public const string ClientName = "GitOps.Orchestrations.Notifications";

    public abstract string Type { get; }

    protected abstract object Body(RenderedNotification message);

    protected virtual void Sign(HttpRequestMessage request, byte[] body, ChannelSpec channel)
    {
    }

    public async Task SendAsync(ChannelSpec channel, RenderedNotification message, string key, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(Body(message), NotificationJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.ResolveUrl()) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", key);
        Sign(request, body, channel);
        using HttpResponseMessage response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The status only: a receiver's body may echo the URL, and the URL is a credential.
            throw new NotificationFailedException($"{Type} channel answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }
}

/// <summary>A delivery the destination did not take; the activity retries it.</summary>
public sealed class NotificationFailedException(string message) : Exception(message);

internal static class NotificationJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
