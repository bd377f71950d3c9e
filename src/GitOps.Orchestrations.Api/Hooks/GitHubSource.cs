using System.Text.Json;
using GitOps.Orchestrations.Core.Events;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// GitHub webhooks: signed with <c>X-Hub-Signature-256</c>, typed by <c>X-GitHub-Event</c>
/// (<c>push</c>, <c>pull_request</c>, <c>release</c>, ...), identified by <c>X-GitHub-Delivery</c>,
/// which a redelivery keeps. The payload is the body as GitHub sends it; <c>event</c> adds the
/// fields triggers most often want: the ref, the commit, the repository and the action.
/// </summary>
public sealed class GitHubSource : IWebhookSource
{
    public string Type => "github";

    public bool Verify(HookRequest request, string secret) =>
        HmacSignature.Matches(request.Header("X-Hub-Signature-256"), request.Body, secret);

    public Task<IncomingEvent> ReadAsync(string hook, HookRequest request, CancellationToken cancellationToken)
    {
        string type = request.Required("X-GitHub-Event");
        string delivery = request.Required("X-GitHub-Delivery");
        JsonElement body = request.Json();
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new HookPayloadException("a GitHub payload is a JSON object");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        PayloadFields.Add(attributes, "repository", body, "repository", "full_name");
        PayloadFields.Add(attributes, "action", body, "action");
        switch (type)
        {
            case "push":
                PayloadFields.Add(attributes, "ref", body, "ref");
                PayloadFields.Add(attributes, "commit", body, "after");
                break;
            case "pull_request":
                PayloadFields.Add(attributes, "ref", body, "pull_request", "head", "ref");
                PayloadFields.Add(attributes, "commit", body, "pull_request", "head", "sha");
                break;
            case "release":
                PayloadFields.Add(attributes, "ref", body, "release", "tag_name");
                break;
        }

        return Task.FromResult(new IncomingEvent(EventSourceKind.Webhook, hook, delivery, type, body, attributes.GetValueOrDefault("ref"), attributes));
    }
}
