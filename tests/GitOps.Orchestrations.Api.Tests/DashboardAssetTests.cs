using System.Net;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Dashboard;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>The dashboard's files as the server serves them: only what is embedded, with headers that keep run data inert.</summary>
public sealed partial class DashboardAssetTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    GitOpsServer server = null!;

    public async Task InitializeAsync()
    {
        repo.Commit("empty", ("workflows/README.md", "none"));
        server = await GitOpsServer.StartAsync(
            new ServerOptions { Urls = "http://127.0.0.1:0", Workflows = new WorkflowRepositoryOptions { Repository = repo.Path }, GitPollInterval = TimeSpan.Zero },
            NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        repo.Dispose();
    }

    HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.Addresses[0]) };

    [Fact]
    public async Task The_root_leads_to_the_dashboard_which_is_served_with_a_policy_that_runs_only_its_own_scripts()
    {
        using HttpClient client = Client();
        foreach (string path in new[] { "/", "/ui" })
        {
            HttpResponseMessage redirect = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.Equal("/ui/", redirect.Headers.Location!.OriginalString);
        }

        HttpResponseMessage page = await client.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        string policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());

        // Revalidated, not re-sent.
        var again = new HttpRequestMessage(HttpMethod.Get, "/ui/js/main.js");
        HttpResponseMessage script = await client.GetAsync("/ui/js/main.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    [Theory]
    [InlineData("/ui/nope.js")]
    [InlineData("/ui/../appsettings.json")]
    [InlineData("/ui/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/ui/js/../../GitOps.Orchestrations.Dashboard.dll")]
    [InlineData("/ui/vendor/dagre/dagre.esm.js.map")]
    public async Task Only_embedded_files_are_served(string path)
    {
        using HttpClient client = Client();
        HttpResponseMessage response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    /// <summary>Every module the dashboard imports is one it ships: a broken import would blank the page in every browser.</summary>
    [Fact]
    public void Every_import_and_every_file_the_page_links_resolves_to_an_embedded_file()
    {
        HashSet<string> paths = [.. DashboardAssets.Paths];
        foreach (string module in paths.Where(p => p.EndsWith(".js", StringComparison.Ordinal) && !p.StartsWith("vendor/", StringComparison.Ordinal)))
        {
            string text = System.Text.Encoding.UTF8.GetString(DashboardAssets.Find(module)!.Content);
            foreach (Match import in ImportPattern().Matches(text))
            {
                string resolved = new Uri(new Uri($"https://dashboard/{module}"), import.Groups[1].Value).AbsolutePath.TrimStart('/');
                Assert.True(paths.Contains(resolved), $"{module} imports {import.Groups[1].Value}, which is not embedded");
            }
        }

        string index = System.Text.Encoding.UTF8.GetString(DashboardAssets.Find("index.html")!.Content);
        foreach (Match link in LinkPattern().Matches(index))
        {
            Assert.Contains(link.Groups[1].Value, paths);
        }
    }

    [GeneratedRegex(@"(?:from|import|new URL\()\s*\(?\s*'(\.{1,2}/[^']+)'")]
    private static partial Regex ImportPattern();

    [GeneratedRegex("(?:href|src)=\"([^\"#:]+)\"")]
    private static partial Regex LinkPattern();
}
