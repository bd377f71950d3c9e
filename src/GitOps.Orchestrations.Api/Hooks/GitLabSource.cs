using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Core.Events;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// GitLab webhooks: GitLab sends the hook's secret token itself in <c>X-Gitlab-Token</c> (compared
/// in constant time), the type in <c>X-Gitlab-Event</c> (<c>Push Hook</c>, <c>Tag Push Hook</c>, ...),
/// and an id per delivery in <c>X-Gitlab-Event-UUID</c>, which a retried delivery keeps (older
/// GitLab sends none: then the pushed commit and ref identify the delivery).
/// </summary>
public sealed class GitLabSource : IWebhookSource
{
    public string Type => "gitlab";

    public bool Verify(HookRequest request, string secret)
    {
        string? token = request.Header("X-Gitlab-Token");
        return token is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    public Task<IncomingEvent> ReadAsync(string hook, HookRequest request, CancellationToken cancellationToken)
    {
        string type = request.Required("X-Gitlab-Event");
        JsonElement body = request.Json();
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new HookPayloadException("a GitLab payload is a JSON object");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        PayloadFields.Add(attributes, "repository", body, "project", "path_with_namespace");
        PayloadFields.Add(attributes, "ref", body, "ref");
        PayloadFields.Add(attributes, "commit", body, "checkout_sha");
        string id = request.Header("X-Gitlab-Event-UUID") is { Length: > 0 } uuid
            ? HookRequest.Bounded("X-Gitlab-Event-UUID", uuid)
            : $"{attributes.GetValueOrDefault("repository")}:{attributes.GetValueOrDefault("ref")}:{attributes.GetValueOrDefault("commit") ?? Convert.ToHexStringLower(SHA256.HashData(request.Body))}";
        return Task.FromResult(new IncomingEvent(EventSourceKind.Webhook, hook, id, type, body, attributes.GetValueOrDefault("ref"), attributes));
    }
}
