using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api;

namespace GitOps.Orchestrations.Cli.Remote;

/// <summary>A refusal from the server, read from its RFC 7807 body.</summary>
internal sealed class ServerProblemException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>One Server-Sent Event as read off the stream.</summary>
internal sealed record ServerEvent(string? Id, string Type, string Data);

/// <summary>The HTTP API as the CLI uses it: the same JSON contracts the server writes.</summary>
internal sealed class ServerClient(Uri server, string? apiKey, string? token) : IDisposable
{
    /// <summary>
    /// The Functions app's function key, sent as <c>x-functions-key</c> beside the bearer token
    /// (the app needs both: the key to reach a function, the token for who is calling).
    /// </summary>
    public const string FunctionKeyVariable = "GITOPS_FUNCTION_KEY";

    readonly HttpClient http = Create(server, apiKey, token);

    /// <summary>A client, or null with the reason said on stderr when a credential holds what no HTTP header may carry.</summary>
    public static ServerClient? TryCreate(Uri server, string? apiKey, string? token)
    {
        try
        {
            return new ServerClient(server, apiKey, token);
        }
        catch (FormatException)
        {
            // Never echo the value: it is a credential.
            Console.Error.WriteLine($"error: the API key, token or {FunctionKeyVariable} holds characters an HTTP header cannot carry (a line break?)");
            return null;
        }
    }

    static HttpClient Create(Uri server, string? apiKey, string? token)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        if (Environment.GetEnvironmentVariable(FunctionKeyVariable) is { Length: > 0 } functionKey)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", functionKey);
        }

        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync(path, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    public async Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body ?? new { }, GitOpsApi.Json), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(path, content, cancellationToken);
        return await ReadAsync<JsonElement>(response, cancellationToken);
    }

    public async IAsyncEnumerable<ServerEvent> EventsAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync<JsonElement>(response, cancellationToken);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? id = null, type = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is string line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return new ServerEvent(id, type ?? "message", data.ToString());
                }

                (id, type) = (null, null);
                data.Clear();
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
        }
    }

    static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            string detail = response.ReasonPhrase ?? "request failed";
            try
            {
                JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                detail = problem.TryGetProperty("detail", out JsonElement d) ? d.GetString() ?? detail : detail;
                if (problem.TryGetProperty("errors", out JsonElement errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    detail += string.Concat(errors.EnumerateArray().Select(e => $"{Environment.NewLine}{e.GetString()}"));
                }
            }
            catch (JsonException)
            {
                // Not a problem body; the status line says what there is to say.
            }

            throw new ServerProblemException((int)response.StatusCode, $"{(int)response.StatusCode}: {detail}");
        }

        return (await response.Content.ReadFromJsonAsync<T>(GitOpsApi.Json, cancellationToken))!;
    }

    public void Dispose() => http.Dispose();
}
