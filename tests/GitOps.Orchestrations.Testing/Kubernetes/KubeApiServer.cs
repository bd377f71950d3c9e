using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// An in-process server that speaks the Kubernetes REST API for the resources tests use, because no
/// API server can be installed here. It follows the API documentation: discovery, GET, LIST, WATCH,
/// POST, PUT, DELETE, merge patch, and server-side apply with field managers (ownership per top-level
/// field, and per key under labels and annotations), resourceVersion conflicts, generation bumps on
/// spec changes, the status subresource, namespaces, dry-run. Errors are <c>Status</c> objects.
/// Split by concern: routing here, discovery, storage semantics and watch in partial files.
/// </summary>
public sealed partial class KubeApiServer : IAsyncLifetime
{
    WebApplication? app;
    readonly object gate = new();
    readonly List<KubeResourceType> types = KubeResourceTypes.BuiltIn().ToList();
    int failuresLeft;
    int failureStatus;

    /// <summary>Quotes written as \" the way the API server's Go encoder writes them, not as \u0022.</summary>
    internal static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Url { get; private set; } = string.Empty;

    /// <summary>Every persisted change made through the API (not dry-runs, not reads), as "VERB path".</summary>
    public ConcurrentQueue<string> WriteLog { get; } = new();

    public int Writes => WriteLog.Count;

    /// <summary>Every request as "VERB path?query", for tests that count calls.</summary>
    public ConcurrentQueue<string> RequestLog { get; } = new();

    /// <summary>The next <paramref name="count"/> requests fail with <paramref name="status"/>, as an overloaded server would.</summary>
    public void FailNext(int count, int status)
    {
        lock (gate)
        {
            failuresLeft = count;
            failureStatus = status;
        }
    }

    public async Task InitializeAsync()
    {
        (app, string url) = await LoopbackApp.StartAsync(web => web.Run(HandleAsync));
        Url = url;
        foreach (string ns in new[] { "default", "kube-system" })
        {
            Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }
    }

    public async Task DisposeAsync()
    {
        // Open watches end first, as a stopping API server closes them, so shutdown does not wait on them.
        await stopping.CancelAsync();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// The clusters a host may use in a test: this server as <c>default</c>, from a kubeconfig in
    /// <paramref name="folder"/>, as an operator would configure it.
    /// </summary>
    public GitOps.Orchestrations.Kubernetes.ClusterRegistry Clusters(string folder) =>
        new(new Dictionary<string, GitOps.Orchestrations.Kubernetes.ClusterSpec>
        {
            [GitOps.Orchestrations.Kubernetes.ClusterRegistry.DefaultName] = new() { Kubeconfig = WriteKubeconfig(folder) },
        });

    /// <summary>A kubeconfig file that points at this server, for code that connects the way users do.</summary>
    public string WriteKubeconfig(string folder, string context = "fixture")
    {
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(file, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fixture
              cluster:
                server: {Url}
            users:
            - name: fixture
              user:
                token: fixture-token
            contexts:
            - name: {context}
              context:
                cluster: fixture
                user: fixture
            current-context: {context}
            """);
        return file;
    }

    async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        RequestLog.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        lock (gate)
        {
            if (failuresLeft > 0)
            {
                failuresLeft--;
                ApiError injected = new(failureStatus, failureStatus == 429 ? "TooManyRequests" : "InternalError", "injected by the test fixture");
                _ = WriteStatusAsync(context, injected);
                return;
            }
        }

        try
        {
            string[] segments = request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (TryDiscovery(segments, out JsonNode? document))
            {
                await WriteJsonAsync(context, 200, document!);
                return;
            }

            Target target = ParseTarget(segments);
            if (request.Query["watch"] is var watch && (watch == "true" || watch == "1"))
            {
                await WatchAsync(context, target);
                return;
            }

            if (target.Subresource == "log")
            {
                string log = ReadLog(target, request.Query);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync(log, Encoding.UTF8);
                return;
            }

            byte[] body = await ReadBodyAsync(request);
            (int status, string result) = Dispatch(request, target, body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(result, Encoding.UTF8);
        }
        catch (ApiError error)
        {
            await WriteStatusAsync(context, error);
        }
    }

    (int Status, string Result) Dispatch(HttpRequest request, Target target, byte[] body)
    {
        if (request.Method == "GET" && target.Name is null)
        {
            lock (gate)
            {
                return (200, List(target, request.Query["labelSelector"]));
            }
        }

        (int status, JsonNode result) = DispatchObject(request, target, body);
        return (status, result.ToJsonString(Relaxed));
    }

    (int Status, JsonNode Result) DispatchObject(HttpRequest request, Target target, byte[] body)
    {
        string? manager = request.Query["fieldManager"];
        bool dryRun = request.Query["dryRun"] == "All";
        bool force = request.Query["force"] == "true";
        string contentType = request.ContentType?.Split(';')[0].Trim() ?? string.Empty;
        lock (gate)
        {
            switch (request.Method, target.Name, target.Subresource)
            {
                case ("GET", not null, null or "status"):
                    return (200, Render(Find(target) ?? throw NotFound(target)));
                case ("POST", null, null):
                    return (201, Create(target, ParseObject(body), manager ?? "unknown", dryRun, request));
                case ("PUT", not null, var sub):
                    return (200, Replace(target, ParseObject(body), manager ?? "unknown", sub == "status", dryRun, request));
                case ("PATCH", not null, var sub) when contentType == "application/apply-patch+yaml":
                    if (manager is null)
                    {
                        throw new ApiError(400, "BadRequest", "PATCH with apply-patch+yaml requires a fieldManager");
                    }

                    return Apply(target, ParseObject(body), manager, force, sub == "status", dryRun, request);
                case ("PATCH", not null, var sub) when contentType is "application/merge-patch+json" or "application/strategic-merge-patch+json":
                    return (200, MergePatch(target, ParseObject(body), manager ?? "unknown", sub == "status", dryRun, request));
                case ("PATCH", not null, _):
                    throw new ApiError(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {contentType})");
                case ("DELETE", not null, null):
                    return (200, Delete(target, dryRun, request, DeletePropagation(request, body)));
                default:
                    throw new ApiError(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
            }
        }
    }

    /// <summary>
    /// What a delete does to the objects the deleted one owns: <c>propagationPolicy</c> from the query
    /// or the DeleteOptions body. Without one, the API's documented default: dependents of a Job are
    /// orphaned (kept, their owner reference removed), every other kind's are collected.
    /// </summary>
    static string DeletePropagation(HttpRequest request, byte[] body)
    {
        string? policy = request.Query["propagationPolicy"];
        if (policy is null && body.Length > 0)
        {
            try
            {
                policy = (string?)JsonNode.Parse(body)?["propagationPolicy"];
            }
            catch (JsonException)
            {
                throw new ApiError(400, "BadRequest", "the DeleteOptions body is not JSON");
            }
        }

        return policy switch
        {
            null => "Default",
            "Foreground" or "Background" or "Orphan" => policy,
            _ => throw new ApiError(400, "BadRequest", $"propagationPolicy must be Foreground, Background or Orphan, not {policy}"),
        };
    }

    /// <summary>The resource a URL names: <c>/api/v1/namespaces/ns/configmaps/name</c>, <c>/apis/apps/v1/deployments</c>, …</summary>
    sealed record Target(KubeResourceType Type, string? Namespace, string? Name, string? Subresource, string Path);

    Target ParseTarget(string[] segments)
    {
        string group;
        string version;
        string[] rest;
        if (segments is ["api", var v, .. var r1])
        {
            (group, version, rest) = (string.Empty, v, r1);
        }
        else if (segments is ["apis", var g, var v2, .. var r2])
        {
            (group, version, rest) = (g, v2, r2);
        }
        else
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        string? ns = null;
        if (rest is ["namespaces", var nsName, var next, ..] && next is not ("status" or "finalize"))
        {
            ns = nsName;
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        KubeResourceType type;
        lock (gate)
        {
            type = types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == rest[0])
                ?? throw new ApiError(404, "NotFound", $"the server could not find the requested resource ({rest[0]} in {(group.Length == 0 ? version : group + "/" + version)})");
        }

        if (type.Namespaced && ns is null && rest.Length > 1)
        {
            throw new ApiError(404, "NotFound", $"the server could not find the requested resource: {type.QualifiedName} is namespaced");
        }

        if (rest.Length == 3 && !(rest[2] == "status" && type.HasStatus) && !(rest[2] == "log" && type.Kind == "Pod"))
        {
            throw new ApiError(404, "NotFound", $"the server could not find the requested resource: {type.QualifiedName} has no subresource {rest[2]}");
        }

        return new Target(type, type.Namespaced ? ns : null, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2), string.Join('/', segments));
    }

    static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>The request body as an object: JSON, or YAML for apply-patch+yaml (JSON is YAML too).</summary>
    static JsonObject ParseObject(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new ApiError(400, "BadRequest", "the request body must be an object");
        }
        catch (JsonException)
        {
            var diagnostics = new List<Core.Validation.Diagnostic>();
            IReadOnlyList<Core.Manifests.Manifest> documents = Core.Manifests.ManifestReader.Read("body", Encoding.UTF8.GetString(body), diagnostics);
            return diagnostics.Count == 0 && documents.Count == 1
                ? documents[0].Body
                : throw new ApiError(400, "BadRequest", $"error decoding YAML: {string.Join("; ", diagnostics.Select(d => d.Message).DefaultIfEmpty("expected one object"))}");
        }
    }

    static Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(Relaxed), Encoding.UTF8);
    }

    static Task WriteStatusAsync(HttpContext context, ApiError error) =>
        WriteJsonAsync(context, error.Code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = error.Message,
            ["reason"] = error.Reason,
            ["code"] = error.Code,
        });

    static ApiError NotFound(Target target) =>
        new(404, "NotFound", $"{target.Type.QualifiedName} \"{target.Name}\" not found");

    internal sealed class ApiError(int code, string reason, string message) : Exception(message)
    {
        public int Code { get; } = code;

        public string Reason { get; } = reason;
    }
}
