using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// A real HTTP server on loopback for workflow tests: an echo, a flaky endpoint that fails a set
/// number of times, status codes, slow responses, and an "effects" endpoint that applies each
/// Idempotency-Key once, the way payment and deployment APIs do, and counts every delivery.
/// </summary>
public sealed class TestHttpServer : IAsyncLifetime
{
    WebApplication? app;

    public string BaseUrl { get; private set; } = string.Empty;

    public ConcurrentDictionary<string, int> FlakyCalls { get; } = new();

    /// <summary>When each flaky call arrived, by the server's clock: what backoff really looks like from outside.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<DateTime>> FlakyCallTimes { get; } = new();

    /// <summary>Idempotency-Key → how many requests carried it.</summary>
    public ConcurrentDictionary<string, int> Deliveries { get; } = new();

    /// <summary>Effect name → how many times it was applied (once per distinct key).</summary>
    public ConcurrentDictionary<string, int> Applied { get; } = new();

    /// <summary>Every effect request in arrival order: when, which effect, which key.</summary>
    public ConcurrentQueue<(DateTime At, string Effect, string Key)> EffectLog { get; } = new();

    /// <summary>Requests of /concurrent/{name} being served right now, and the most there ever were at once.</summary>
    public ConcurrentDictionary<string, (int Now, int Most)> InFlight { get; } = new();

    /// <summary>Effects received per calling worker process (the X-GitOps-Worker header).</summary>
    public ConcurrentDictionary<string, int> Workers { get; } = new();

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapGet("/echo/{value}", (string value) => Results.Json(new { echo = value, length = value.Length }));
        app.MapGet("/text", (string value) => Results.Text(value));
        app.MapGet("/redirect", (string to, int? status) => Redirect(to, status ?? 302));
        app.MapGet("/status/{code:int}", (int code) => Results.Json(new { code }, statusCode: code));
        app.MapGet("/flaky/{name}", (string name, int failures) =>
        {
            int call = FlakyCalls.AddOrUpdate(name, 1, (_, n) => n + 1);
            FlakyCallTimes.GetOrAdd(name, _ => new()).Enqueue(DateTime.UtcNow);
            return call <= failures ? Results.Json(new { call }, statusCode: 503) : Results.Json(new { call, ok = true });
        });
        app.MapGet("/slow", async (int ms) =>
        {
            await Task.Delay(ms);
            return Results.Json(new { slept = ms });
        });
        app.MapGet("/concurrent/{name}", async (string name, int? ms) =>
        {
            // Held open a little, so calls that are allowed to overlap do; the count is what the test reads.
            InFlight.AddOrUpdate(name, (1, 1), (_, n) => (n.Now + 1, Math.Max(n.Most, n.Now + 1)));
            try
            {
                await Task.Delay(ms ?? 20);
            }
            finally
            {
                InFlight.AddOrUpdate(name, (0, 0), (_, n) => (n.Now - 1, n.Most));
            }

            return Results.Json(new { name });
        });
        app.MapPost("/effects/{name}", async (string name, HttpRequest request, int? ms) =>
        {
            string key = request.Headers["Idempotency-Key"].ToString();
            EffectLog.Enqueue((DateTime.UtcNow, name, key));
            Workers.AddOrUpdate(request.Headers["X-GitOps-Worker"].ToString(), 1, (_, n) => n + 1);
            bool first = Deliveries.AddOrUpdate(key, 1, (_, n) => n + 1) == 1;
            if (first)
            {
                Applied.AddOrUpdate(name, 1, (_, n) => n + 1);
            }

            // A slow effect (?ms=) keeps activities in flight, for what happens when a worker dies mid-call.
            if (ms is int delay)
            {
                await Task.Delay(delay);
            }

            return Results.Json(new { name, key, applied = first });
        });
        await app.StartAsync();
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    static IResult Redirect(string to, int status) => new RedirectResult(to, status);

    sealed class RedirectResult(string location, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
