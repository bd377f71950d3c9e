using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Dashboard;

/// <summary>One file of the dashboard, as served: its bytes, type and entity tag.</summary>
public sealed record DashboardAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The dashboard's files, embedded in this assembly and served by both hosts through
/// <see cref="Serve"/>. A request names a file by its path under <c>web/</c>; only names found in
/// the embedded set are served, so no request path ever reaches the file system.
/// </summary>
public static class DashboardAssets
{
    const string Prefix = "dashboard/";

    /// <summary>
    /// Scripts, styles and data only from this host, no framing, no inline code: the dashboard
    /// renders text from runs (params, messages, comments) and must never run it.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    static readonly FrozenDictionary<string, DashboardAsset> Assets = Load();

    /// <summary>Every file's path, for tests and for the host's listing.</summary>
    public static IEnumerable<string> Paths => Assets.Keys;

    public static DashboardAsset? Find(string path) =>
        Assets.GetValueOrDefault(path.Length == 0 || path.EndsWith('/') ? path + "index.html" : path);

    /// <summary>
    /// Answers a GET for <paramref name="path"/> (relative to the dashboard's root): the file with
    /// its type and security headers, 304 when the client's copy is current, or a 404 problem.
    /// The folder itself without its trailing slash is redirected to it.
    /// </summary>
    public static IResult Serve(HttpContext http, string? path)
    {
        // The page's links are relative to its folder, so the folder is always asked for with its slash.
        if (string.IsNullOrEmpty(path) && !(http.Request.Path.Value ?? "").EndsWith('/'))
        {
            return Results.Redirect($"{http.Request.PathBase}{http.Request.Path}/");
        }

        DashboardAsset? asset = Find(path ?? "");
        if (asset is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"the dashboard has no file '{Truncate(path)}'");
        }

        IHeaderDictionary headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated every time: a new server version must never meet a browser's old script.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    static string Truncate(string? path) => path is null ? "" : path.Length <= 100 ? path : path[..100] + "…";

    static FrozenDictionary<string, DashboardAsset> Load()
    {
        Assembly assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[] content = buffer.ToArray();
            // MSBuild writes RecursiveDir with the platform's separator.
            string path = name[Prefix.Length..].Replace('\\', '/');
            assets[path] = new DashboardAsset(path, content, ContentType(path), $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    static string ContentType(string path) => System.IO.Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "text/plain; charset=utf-8",
    };
}
