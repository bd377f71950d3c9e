using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using LibGit2Sharp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Testing;

/// <summary>Bare repositories in one folder, served by the real <c>git daemon</c> (git://) and <c>git http-backend</c> (HTTP with a token).</summary>
public sealed class GitServers : IAsyncDisposable
{
    public const string Token = "s3cret-token-123";

    readonly Process daemon;
    readonly WebApplication http;

    GitServers(string root, Process daemon, int daemonPort, WebApplication http, string httpUrl)
    {
        Root = root;
        this.daemon = daemon;
        this.http = http;
        GitUrl = $"git://127.0.0.1:{daemonPort}";
        HttpUrl = httpUrl;
    }

    public string Root { get; }

    public string GitUrl { get; }

    public string HttpUrl { get; }

    public static async Task<GitServers> StartAsync()
    {
        string root = Directory.CreateTempSubdirectory("gitops-served-").FullName;
        int port = Loopback.FreePort();
        var start = new ProcessStartInfo("git", ["daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", $"--base-path={root}", "--listen=127.0.0.1", $"--port={port}", root])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process daemon = Process.Start(start)!;
        for (int i = 0; i < 100 && !Loopback.IsListening(port); i++)
        {
            await Task.Delay(50);
        }

        (WebApplication app, string url) = await LoopbackApp.StartAsync(web => web.Run(context => ServeAsync(context, root)));
        return new GitServers(root, daemon, port, app, url);
    }

    /// <summary>A bare repository named <paramref name="name"/> holding what <paramref name="source"/> has on its current branch, as <c>main</c>.</summary>
    public string Publish(string name, GitRepository source) => BareRepositories.Publish(Root, name, source);

    /// <summary>The commit a branch of a served repository points at.</summary>
    public string Head(string name, string branch = "main")
    {
        using var repo = new Repository(Path.Combine(Root, name));
        return repo.Branches[branch].Tip.Sha;
    }

    /// <summary>A file's content at the head of a branch of a served repository.</summary>
    public string? Read(string name, string file, string branch = "main")
    {
        using var repo = new Repository(Path.Combine(Root, name));
        return (repo.Branches[branch]?.Tip[file]?.Target as Blob)?.GetContentText();
    }

    static async Task ServeAsync(HttpContext context, string root)
    {
        // Basic auth with the token as password, as GitHub and GitLab accept tokens.
        string? header = context.Request.Headers.Authorization;
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"git:{Token}"));
        if (header != expected)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }

        var start = new ProcessStartInfo("git", ["http-backend"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["GIT_PROJECT_ROOT"] = root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH_INFO"] = context.Request.Path.Value;
        start.Environment["QUERY_STRING"] = context.Request.QueryString.Value?.TrimStart('?') ?? string.Empty;
        start.Environment["REQUEST_METHOD"] = context.Request.Method;
        start.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? string.Empty;
        start.Environment["REMOTE_USER"] = "git";
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (context.Request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
        {
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        using Process cgi = Process.Start(start)!;
        Task copyIn = Task.Run(async () =>
        {
            await context.Request.Body.CopyToAsync(cgi.StandardInput.BaseStream);
            cgi.StandardInput.Close();
        });
        Stream output = cgi.StandardOutput.BaseStream;
        var headerBytes = new List<byte>();
        int b;
        while ((b = output.ReadByte()) >= 0)
        {
            headerBytes.Add((byte)b);
            if (headerBytes.Count >= 4 && headerBytes[^4] == '\r' && headerBytes[^3] == '\n' && headerBytes[^2] == '\r' && headerBytes[^1] == '\n')
            {
                break;
            }

            if (headerBytes.Count >= 2 && headerBytes[^2] == '\n' && headerBytes[^1] == '\n')
            {
                break;
            }
        }

        foreach (string line in Encoding.ASCII.GetString(headerBytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.TrimEnd('\r').Split(':', 2);
            if (parts.Length != 2)
            {
                continue;
            }

            if (parts[0].Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(parts[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                context.Response.Headers[parts[0]] = parts[1].Trim();
            }
        }

        await output.CopyToAsync(context.Response.Body);
        await copyIn;
        await cgi.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            daemon.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        daemon.Dispose();
        await http.StopAsync();
        await http.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
