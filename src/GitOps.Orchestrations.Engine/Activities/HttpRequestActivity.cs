using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Engine.Idempotency;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Activities;

public sealed record HttpStepRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body, string IdempotencyKey);

public sealed record HttpStepResponse(int Status, string Body, JsonElement? Json, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Sends one HTTP request for an <c>http</c> task, at most once per idempotency key: a redelivered
/// activity returns the journaled response, and the key travels as <c>Idempotency-Key</c> so the
/// server can deduplicate a request whose response was lost in a crash.
/// </summary>
public sealed class HttpRequestActivity(IHttpClientFactory clients, IEffectJournal journal, ILogger<HttpRequestActivity> logger)
    : TaskActivity<HttpStepRequest, HttpStepResponse>
{
    public const string ClientName = "gitops-http";

    public const string WorkerHeader = "X-GitOps-Worker";

    static readonly string WorkerName = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Bodies beyond this are cut: outputs travel through orchestration history.</summary>
    public const int MaxBodyChars = 64 * 1024;

    public override async Task<HttpStepResponse> RunAsync(TaskActivityContext context, HttpStepRequest input)
    {
        if (await journal.TryGetAsync(input.IdempotencyKey) is string recorded)
        {
            logger.EffectReplayed(input.IdempotencyKey);
            return JsonSerializer.Deserialize<HttpStepResponse>(recorded)!;
        }

        using var request = new HttpRequestMessage(new HttpMethod(input.Method), input.Url);
        foreach (var (name, value) in input.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new StringContent(input.Body ?? string.Empty, Encoding.UTF8);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("Idempotency-Key", input.IdempotencyKey);

        // Which worker process made the call: with several workers on one task hub, targets can
        // tell them apart in their logs.
        request.Headers.TryAddWithoutValidation(WorkerHeader, WorkerName);
        if (input.Body is not null && request.Content is null)
        {
            request.Content = new StringContent(input.Body, Encoding.UTF8, LooksLikeJson(input.Body) ? "application/json" : "text/plain");
        }

        HttpClient client = clients.CreateClient(ClientName);
        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (body.Length > MaxBodyChars)
        {
            body = body[..MaxBodyChars];
        }

        var headers = response.Headers.Concat(response.Content.Headers)
            .GroupBy(h => h.Key.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)), StringComparer.Ordinal);
        var result = new HttpStepResponse((int)response.StatusCode, body, TryParseJson(body), headers);
        logger.HttpSent(input.Method, input.Url, result.Status, input.IdempotencyKey);
        await journal.RecordAsync(input.IdempotencyKey, JsonSerializer.Serialize(result));
        return result;
    }

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
