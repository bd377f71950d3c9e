using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// A change-ticket system over real HTTP, for the sample task type: <c>POST /tickets</c> opens one
/// (once per <c>Idempotency-Key</c>: a repeated key answers the ticket it opened), <c>GET
/// /tickets/{id}</c> shows it, and the test decides tickets as a person in the ticket system would.
/// </summary>
public sealed class TicketSystem : IAsyncLifetime
{
    WebApplication? app;
    readonly ConcurrentDictionary<string, JsonObject> tickets = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> byKey = new(StringComparer.Ordinal);
    int next;

    public string Url { get; private set; } = string.Empty;

    /// <summary>Tickets actually opened: a repeated idempotency key does not count.</summary>
    public int Opened => tickets.Count;

    /// <summary>POSTs received, repeats included.</summary>
    public int Requests => Volatile.Read(ref requests);

    int requests;

    public IReadOnlyCollection<string> Ids => [.. tickets.Keys];

    public string? SummaryOf(string id) => tickets.TryGetValue(id, out JsonObject? ticket) ? (string?)ticket["summary"] : null;

    public void Decide(string id, string status, string by)
    {
        JsonObject ticket = tickets[id];
        lock (ticket)
        {
            ticket["status"] = status;
            ticket["decidedBy"] = by;
        }
    }

    public async Task InitializeAsync() => (app, Url) = await LoopbackApp.StartAsync(web =>
    {
        web.MapPost("/tickets", async (HttpContext http) =>
        {
            Interlocked.Increment(ref requests);
            string? key = http.Request.Headers["Idempotency-Key"];
            if (string.IsNullOrEmpty(key))
            {
                return Results.BadRequest(new { error = "Idempotency-Key is required" });
            }

            JsonNode? body = await JsonNode.ParseAsync(http.Request.Body);
            string id = byKey.GetOrAdd(key, _ =>
            {
                string created = $"CHG-{Interlocked.Increment(ref next):D4}";
                tickets[created] = new JsonObject { ["id"] = created, ["status"] = "open", ["summary"] = (string?)body?["summary"], ["reference"] = (string?)body?["reference"] };
                return created;
            });
            return Results.Json(new { id }, statusCode: 201);
        });
        web.MapGet("/tickets/{id}", (string id) =>
        {
            if (!tickets.TryGetValue(id, out JsonObject? ticket))
            {
                return Results.NotFound();
            }

            lock (ticket)
            {
                return Results.Text(ticket.ToJsonString(), "application/json");
            }
        });
    });

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
