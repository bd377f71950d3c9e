using GitOps.Orchestrations.Core.Events;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// Any sender that can sign: a JSON body with <c>X-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>,
/// an <c>X-Event-Type</c> (default <c>event</c>) and an <c>X-Delivery-Id</c> that its retries keep
/// (without one, the body's hash is the id, so the same body twice is the same event).
/// </summary>
public sealed class HmacSource : IWebhookSource
{
    public const string SignatureHeader = "X-Signature-256";

    public string Type => "hmac";

    public bool Verify(HookRequest request, string secret) =>
        HmacSignature.Matches(request.Header(SignatureHeader), request.Body, secret);

    public Task<IncomingEvent> ReadAsync(string hook, HookRequest request, CancellationToken cancellationToken)
    {
        string type = request.Header("X-Event-Type") is { Length: > 0 } given ? HookRequest.Bounded("X-Event-Type", given) : "event";
        string id = request.Header("X-Delivery-Id") is { Length: > 0 } delivery
            ? HookRequest.Bounded("X-Delivery-Id", delivery)
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(request.Body));
        return Task.FromResult(new IncomingEvent(EventSourceKind.Webhook, hook, id, type, request.Json()));
    }
}
