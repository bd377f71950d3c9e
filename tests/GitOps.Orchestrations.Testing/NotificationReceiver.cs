using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GitOps.Orchestrations.Testing;

/// <summary>One message a receiver took: the route it came to, its body, and its headers.</summary>
public sealed record ReceivedMessage(string Kind, string Name, JsonNode Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Real HTTP receivers on loopback for the three HTTP channels, each checking what its real
/// counterpart checks and answering as it answers:
/// <list type="bullet">
/// <item><c>/slack/{name}</c>: a Slack incoming webhook. Slack documents that it answers 400
/// <c>invalid_payload</c> to a body that is not JSON and <c>no_text</c> when neither <c>text</c> nor
/// <c>blocks</c> is given, and <c>ok</c> with 200 otherwise; blocks must have a known <c>type</c>,
/// sections a <c>text</c> object of type <c>mrkdwn</c> or <c>plain_text</c>.</item>
/// <item><c>/teams/{name}</c>: a Teams incoming webhook, which takes a <c>message</c> whose
/// attachments are Adaptive Cards (<c>application/vnd.microsoft.card.adaptive</c>, content of type
/// <c>AdaptiveCard</c> with a version and a body) and answers 400 to anything else.</item>
/// <item><c>/webhook/{name}</c>: a generic receiver that, given <c>?secret=</c>, checks
/// <c>X-Signature-256</c> as HMAC-SHA256 of the raw body and answers 401 when it does not hold.</item>
/// </list>
/// <c>?fail=N</c> makes a route answer 503 to its first N requests, like a receiver that is down for a while.
/// </summary>
public sealed class NotificationReceiver : IAsyncLifetime
{
    WebApplication? app;
    readonly ConcurrentDictionary<string, int> calls = new();

    public string BaseUrl { get; private set; } = string.Empty;

    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    /// <summary>Requests refused (by ?fail or by a format check), by route.</summary>
    public ConcurrentDictionary<string, int> Refused { get; } = new();

    public IEnumerable<ReceivedMessage> To(string kind, string name) => Messages.Where(m => m.Kind == kind && m.Name == name);

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/{kind}/{name}", async (HttpContext http, string kind, string name) =>
        {
            string route = $"{kind}/{name}";
            int call = calls.AddOrUpdate(route, 1, (_, n) => n + 1);
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            byte[] raw = buffer.ToArray();
            if (int.TryParse(http.Request.Query["fail"], out int failures) && call <= failures)
            {
                return Refuse(route, 503, "temporarily unavailable");
            }

            JsonNode? body;
            try
            {
                body = JsonNode.Parse(raw);
            }
            catch (JsonException)
            {
                return Refuse(route, 400, "invalid_payload");
            }

            string? problem = kind switch
            {
                "slack" => SlackProblem(body),
                "teams" => TeamsProblem(body),
                "webhook" => http.Request.Query["secret"] is { Count: > 0 } secret && !Signed(http.Request.Headers["X-Signature-256"].ToString(), raw, secret.ToString()) ? "bad signature" : null,
                _ => "no such receiver",
            };
            if (problem is not null)
            {
                return Refuse(route, problem == "bad signature" ? 401 : 400, problem);
            }

            Messages.Enqueue(new ReceivedMessage(kind, name, body!, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            return kind == "slack" ? Results.Text("ok") : Results.Ok();
        });
        await app.StartAsync();
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    IResult Refuse(string route, int status, string text)
    {
        Refused.AddOrUpdate(route, 1, (_, n) => n + 1);
        return Results.Text(text, statusCode: status);
    }

    static string? SlackProblem(JsonNode? body)
    {
        if (body is not JsonObject message)
        {
            return "invalid_payload";
        }

        bool hasText = message["text"] is JsonValue text && text.TryGetValue(out string? value) && value.Length > 0;
        if (!hasText && message["blocks"] is not JsonArray)
        {
            return "no_text";
        }

        foreach (JsonNode? block in message["blocks"] as JsonArray ?? [])
        {
            string? type = block?["type"]?.GetValue<string>();
            if (type is not ("section" or "actions" or "context" or "divider" or "header"))
            {
                return "invalid_blocks";
            }

            if (type == "section" && block!["text"]?["type"]?.GetValue<string>() is not ("mrkdwn" or "plain_text"))
            {
                return "invalid_blocks";
            }
        }

        return null;
    }

    static string? TeamsProblem(JsonNode? body)
    {
        if (body?["type"]?.GetValue<string>() != "message" || body["attachments"] is not JsonArray { Count: > 0 } attachments)
        {
            return "Bad payload received by generic incoming webhook.";
        }

        foreach (JsonNode? attachment in attachments)
        {
            JsonNode? card = attachment?["content"];
            if (attachment?["contentType"]?.GetValue<string>() != "application/vnd.microsoft.card.adaptive"
                || card?["type"]?.GetValue<string>() != "AdaptiveCard"
                || card["version"] is null
                || card["body"] is not JsonArray)
            {
                return "Bad payload received by generic incoming webhook.";
            }
        }

        return null;
    }

    static bool Signed(string header, byte[] body, string secret) =>
        header == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
