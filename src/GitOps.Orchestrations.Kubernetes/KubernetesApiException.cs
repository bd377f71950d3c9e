using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>A refusal from the API server, with the message of its <c>Status</c> object.</summary>
public sealed class KubernetesApiException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Worth another try after a pause: a resourceVersion race, throttling, or a server-side fault.</summary>
    public bool Transient => StatusCode is 409 or 429 or >= 500 && !FieldConflict;

    /// <summary>A 409 from server-side apply about field ownership: trying again changes nothing.</summary>
    public bool FieldConflict => StatusCode == 409 && Message.Contains("Apply failed with", StringComparison.Ordinal);

    public static KubernetesApiException From(HttpOperationException e, string action) =>
        new((int)e.Response.StatusCode, $"{action}: {StatusMessage(e.Response.Content)} ({(int)e.Response.StatusCode})", e);

    public static string StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "no message";
        }

        try
        {
            return JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body;
        }
        catch (JsonException)
        {
            return body.Length > 300 ? body[..300] : body;
        }
    }
}
