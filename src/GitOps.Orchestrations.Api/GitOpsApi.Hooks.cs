using GitOps.Orchestrations.Api.Hooks;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Core.Events;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Audit;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

/// <summary>The answer to a webhook delivery: which event it was read as, and what it did to each workflow that listens.</summary>
public sealed record HookResponse(string Hook, string Event, string Type, IReadOnlyList<EventOutcome> Runs);

public sealed partial class GitOpsApi
{
    /// <summary>
    /// <c>POST /api/hooks/{name}</c>: a webhook delivery. It authenticates by its signature, not by
    /// an API key: an unknown hook is 404, a missing or wrong signature 401 (counted, logged and
    /// audited, and nothing is read), a body over <see cref="ApiOptions.MaxHookBodyBytes"/> 413, a
    /// payload its sender would not send 400. A verified event answers 202 with the runs it started
    /// or found already started, so a redelivery is told it changed nothing.
    /// </summary>
    public Task<IResult> ReceiveHook(HttpContext http, string name) => Guard(http, async () =>
    {
        if (!options.Hooks.TryGetValue(name, out HookSpec? hook))
        {
            throw ApiProblemException.NotFound($"no hook '{name}'");
        }

        byte[] body = await ReadBounded(http, options.MaxHookBodyBytes);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new HookRequest(headers, body, http.Request.ContentType);
        IWebhookSource source = WebhookSources.For(hook.Type);
        if (hook.ResolveSecret() is not string secret || !source.Verify(request, secret))
        {
            EngineMetrics.EventReceived("webhook", name, "unsigned");
            logger.HookRefused(name, "missing or wrong signature");
            await audit.AppendAsync(new AuditEntry { At = clock.GetUtcNow().UtcDateTime, Actor = $"webhook:{name}", Action = "hook", RunId = $"hooks/{name}", Outcome = "refused", Detail = "missing or wrong signature" }, http.RequestAborted);
            throw new ApiProblemException(401, "Unauthorized", $"the delivery to hook '{name}' is not signed with its secret");
        }

        IncomingEvent incoming;
        try
        {
            incoming = await source.ReadAsync(name, request, http.RequestAborted);
        }
        catch (HookPayloadException e)
        {
            EngineMetrics.EventReceived("webhook", name, "malformed");
            throw ApiProblemException.BadRequest(e.Message);
        }

        IReadOnlyList<EventOutcome> outcomes = await events.DispatchAsync(incoming, http.RequestAborted);
        return Ok(new HookResponse(name, incoming.Id, incoming.Type, outcomes), 202);
    });

    /// <summary>The raw body, at most <paramref name="limit"/> bytes: a signature is over the bytes as sent.</summary>
    static async Task<byte[]> ReadBounded(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
        {
            throw ApiProblemException.TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw ApiProblemException.TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
