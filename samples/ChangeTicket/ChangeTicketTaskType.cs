using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Sdk;
using Microsoft.Extensions.Logging;

namespace Acme.ChangeTicket;

/// <summary>
/// <c>uses: acme/change-ticket</c>: opens a change ticket in a ticket system over HTTP and waits
/// until someone approves or rejects it there. The first call opens the ticket (once, whatever
/// happens to workers: the attempt's idempotency key goes with the request); every later call
/// looks at the ticket, and the engine waits durably between looks.
/// </summary>
/// <remarks>
/// The ticket system's API: <c>POST {url}/tickets</c> with <c>{summary, reference}</c> and an
/// <c>Idempotency-Key</c> header answers <c>{id}</c>; <c>GET {url}/tickets/{id}</c> answers
/// <c>{id, status: open|approved|rejected, decidedBy}</c>.
/// </remarks>
public sealed class ChangeTicketTaskType(IHttpClientFactory http) : ICustomTaskType
{
    public static string Name => "acme/change-ticket";

    public static IReadOnlyDictionary<string, TaskField> With { get; } = new Dictionary<string, TaskField>
    {
        ["url"] = new(TaskFieldKind.String, Required: true, Description: "the ticket system's base URL"),
        ["summary"] = new(TaskFieldKind.String, Required: true, Description: "what the change is"),
        ["checkEvery"] = new(TaskFieldKind.Duration, Description: "how often to look at the ticket (default 30s)"),
    };

    sealed record Opened(string Id);

    sealed record Ticket(string Id, string Status, string? DecidedBy);

    public async Task<TaskOutcome> RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(context.GetString("url"), UriKind.Absolute, out Uri? baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            return TaskOutcome.Failed("with.url must be an absolute http(s) URL", retryable: false);
        }

        TimeSpan checkEvery = ParseSeconds(context.GetString("checkEvery")) ?? TimeSpan.FromSeconds(30);
        using HttpClient client = http.CreateClient(TaskHttp.ClientName);
        client.BaseAddress = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/");

        // No state yet: this attempt has not opened its ticket (or a worker died before saying so).
        if (context.State is not JsonElement state || state.Deserialize<Opened>(JsonSerializerOptions.Web) is not { } opened)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "tickets")
            {
                Content = JsonContent.Create(new { summary = context.GetString("summary"), reference = $"{context.RunId}/{context.Node}" }),
            };
            request.Headers.Add("Idempotency-Key", context.IdempotencyKey);
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return TaskOutcome.Errored($"the ticket system answered {(int)response.StatusCode} to opening a ticket");
            }

            Opened? created = await response.Content.ReadFromJsonAsync<Opened>(JsonSerializerOptions.Web, cancellationToken);
            if (created is null || string.IsNullOrWhiteSpace(created.Id) || created.Id.Length > 100)
            {
                return TaskOutcome.Errored("the ticket system did not say which ticket it opened");
            }

            context.Logger.TicketOpened(created.Id, context.RunId, context.Node);
            return TaskOutcome.Pending(checkEvery, $"ticket {created.Id} opened; waiting for its approval", new Opened(created.Id));
        }

        Ticket? ticket;
        try
        {
            ticket = await client.GetFromJsonAsync<Ticket>($"tickets/{Uri.EscapeDataString(opened.Id)}", JsonSerializerOptions.Web, cancellationToken);
        }
        catch (HttpRequestException e) when (e.StatusCode is null or >= HttpStatusCode.InternalServerError)
        {
            // The ticket system is down for a moment: the ticket is still there, so look again later.
            return TaskOutcome.Pending(checkEvery, $"ticket {opened.Id}: the ticket system is unreachable; looking again", opened);
        }

        return ticket?.Status switch
        {
            "approved" => TaskOutcome.Succeeded(TaskOutcome.OutputsOf(("ticket", opened.Id), ("approvedBy", ticket.DecidedBy)), $"ticket {opened.Id} approved by {ticket.DecidedBy}"),
            "rejected" => TaskOutcome.Failed($"ticket {opened.Id} rejected by {ticket.DecidedBy}", retryable: false),
            "open" => TaskOutcome.Pending(checkEvery, $"ticket {opened.Id} is waiting for approval", opened),
            _ => TaskOutcome.Errored($"ticket {opened.Id} has a status this task type does not know: {ticket?.Status}"),
        };
    }

    static TimeSpan? ParseSeconds(string? text) =>
        text is null ? null
        : text.EndsWith('s') && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out double s) ? TimeSpan.FromSeconds(s)
        : text.EndsWith('m') && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out double m) ? TimeSpan.FromMinutes(m)
        : null;
}

static partial class Logs
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened change ticket {Ticket} for {Run}/{Node}")]
    public static partial void TicketOpened(this ILogger logger, string ticket, string run, string node);
}
