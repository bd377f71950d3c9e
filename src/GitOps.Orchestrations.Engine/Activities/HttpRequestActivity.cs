using System.Net;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Engine.Idempotency;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Activities;

/// <param name="FollowRedirects">Follow redirects, each hop checked against the egress policy; off unless the step allows it.</param>
public sealed record HttpStepRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body, string IdempotencyKey, bool FollowRedirects = false);

/// <param name="Refused">Set when the request was never sent: the egress policy or a malformed request refused it.</param>
/// <param name="Truncated">The body was longer than <see cref="HttpRequestActivity.MaxBodyBytes"/> and was cut there.</param>
public sealed record HttpStepResponse(int Status, string Body, JsonElement? Json, IReadOnlyDictionary<string, string> Headers, string? Refused = null, bool Truncated = false);

/// <summary>
/// Sends one HTTP request for an <c>http</c> task, at most once per idempotency key: a redelivered
/// activity returns the journaled response, and the key travels as <c>Idempotency-Key</c> so the
/// server can deduplicate a request whose response was lost in a crash. Everything the workflow
/// supplied is hostile: the URL and every redirect must pass the server's <see cref="EgressPolicy"/>,
/// header names and values may not hold control characters (no header injection or request
/// smuggling), and the response is read only up to its limit, never buffered whole.
/// </summary>
public sealed class HttpRequestActivity(IHttpClientFactory clients, IEffectJournal journal, EgressPolicy policy, ILogger<HttpRequestActivity> logger)
    : TaskActivity<HttpStepRequest, HttpStepResponse>
{
    public const string ClientName = "gitops-http";

    public const string WorkerHeader = "X-GitOps-Worker";

    static readonly string WorkerName = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Bodies beyond this are cut: outputs travel through orchestration history.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Cookie", "Proxy-Authorization" };

    public override async Task<HttpStepResponse> RunAsync(TaskActivityContext context, HttpStepRequest input)
    {
        if (await journal.TryGetAsync(input.IdempotencyKey) is string recorded)
        {
            logger.EffectReplayed(input.IdempotencyKey);
            return JsonSerializer.Deserialize<HttpStepResponse>(recorded)!;
        }

        if (OutboundRequest.Problem(input.Method, input.Url, input.Headers) is string malformed)
        {
            return Refused(malformed);
        }

        var url = new Uri(input.Url);
        string method = input.Method;
        string? body = input.Body;
        HttpClient client = clients.CreateClient(ClientName);
        for (int hop = 0; ; hop++)
        {
            if (policy.RefuseUrl(url) is string refusal)
            {
                return Refused(refusal);
            }

            using HttpRequestMessage request = Build(method, url, body, input, sameHost: hop == 0 || url.Authority == new Uri(input.Url).Authority);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException e) when (Denial(e) is EgressDeniedException denied)
            {
                return Refused(denied.Message);
            }

            using (response)
            {
                if (input.FollowRedirects && IsRedirect(response.StatusCode) && response.Headers.Location is Uri location)
                {
                    if (hop + 1 > policy.MaxRedirects)
                    {
                        return Refused($"more than {policy.MaxRedirects} redirects");
                    }

                    url = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (response.StatusCode is HttpStatusCode.SeeOther || (response.StatusCode is HttpStatusCode.Moved or HttpStatusCode.Found && method == "POST"))
                    {
                        (method, body) = ("GET", null);
                    }

                    continue;
                }

                (string text, bool truncated) = await ReadLimitedAsync(response.Content);
                var headers = response.Headers.Concat(response.Content.Headers)
                    .GroupBy(h => h.Key.ToLowerInvariant())
                    .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)), StringComparer.Ordinal);
                var result = new HttpStepResponse((int)response.StatusCode, text, truncated ? null : TryParseJson(text), headers, Truncated: truncated);
                string sentTo = url.GetLeftPart(UriPartial.Path);
                logger.HttpSent(method, sentTo, result.Status, input.IdempotencyKey);
                await journal.RecordAsync(input.IdempotencyKey, JsonSerializer.Serialize(result));
                return result;
            }
        }
    }

    /// <summary>The handler wraps what its connect callback throws; the denial is somewhere inside.</summary>
    static EgressDeniedException? Denial(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is EgressDeniedException denied)
            {
                return denied;
            }
        }

        return null;
    }

    static HttpStepResponse Refused(string why) => new(0, string.Empty, null, new Dictionary<string, string>(), Refused: why);

    static HttpRequestMessage Build(string method, Uri url, string? body, HttpStepRequest input, bool sameHost)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, LooksLikeJson(body) ? "application/json" : "text/plain");
        }

        foreach (var (name, value) in input.Headers)
        {
            // Credentials meant for the first host never go on to another one a redirect names.
            if (!sameHost && CredentialHeaders.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new StringContent(string.Empty, Encoding.UTF8);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("Idempotency-Key", input.IdempotencyKey);

        // Which worker process made the call: with several workers on one task hub, targets can
        // tell them apart in their logs.
        request.Headers.TryAddWithoutValidation(WorkerHeader, WorkerName);
        return request;
    }

    /// <summary>Reads at most <see cref="MaxBodyBytes"/> and stops: a gigabyte response costs 64 KiB.</summary>
    static async Task<(string Text, bool Truncated)> ReadLimitedAsync(HttpContent content)
    {
        await using Stream stream = await content.ReadAsStreamAsync();
        byte[] buffer = new byte[MaxBodyBytes + 1];
        int total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total, buffer.Length - total))) > 0)
        {
            total += read;
        }

        bool truncated = total > MaxBodyBytes;
        return (Encoding.UTF8.GetString(buffer, 0, Math.Min(total, MaxBodyBytes)), truncated);
    }

    static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    static bool LooksLikeJson(string text) => text.TrimStart() is ['{' or '[', ..];

    static JsonElement? TryParseJson(string body)
    {
        if (!LooksLikeJson(body))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
