using System.Globalization;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

/// <summary>The data of a <c>run</c> event: the run's phase changed.</summary>
public sealed record RunEvent(string Id, WorkflowPhase Phase, bool Suspended, string? Message, IReadOnlyList<string> Waiting)
{
    /// <summary>For a Pending run, the lock it waits for (<see cref="RunStatus.WaitingForLock"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LockWaitView? WaitingForLock { get; init; }
}

/// <summary>The data of a <c>node</c> event: one node changed.</summary>
public sealed record NodeEvent(string Run, NodeStatus Node);

public sealed partial class GitOpsApi
{
    /// <summary>
    /// <c>GET /api/runs/{id}/events</c>: Server-Sent Events. Event ids are the run's change numbers
    /// (<see cref="NodeStatus.Seq"/>), which the engine assigns deterministically, so a client that
    /// reconnects with <c>Last-Event-ID: N</c> gets every node that changed after N, in order, in its
    /// current state. Changes closer together than one poll arrive as the later state.
    /// </summary>
    public Task<IResult> RunEvents(HttpContext http, string id) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        RunStatus first = await RequireRun(id, http.RequestAborted);
        string? lastEventId = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault();
        int after = int.TryParse(lastEventId, CultureInfo.InvariantCulture, out int n) ? n : 0;
        return new EventStream(runs, options, clock, first, after);
    });

    sealed class EventStream(WorkflowRunClient runs, ApiOptions options, TimeProvider clock, RunStatus first, int after) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            CancellationToken cancellationToken = http.RequestAborted;
            RunStatus status = first;
            int sent = after;
            bool ended = false;
            DateTimeOffset lastWrite = clock.GetUtcNow();
            await http.Response.WriteAsync("retry: 1000\n\n", cancellationToken);
            await http.Response.Body.FlushAsync(cancellationToken);
            try
            {
                while (true)
                {
                    var text = new StringBuilder();
                    foreach (NodeStatus node in status.Nodes.Where(n => n.Seq > sent).OrderBy(n => n.Seq))
                    {
                        Append(text, node.Seq, "node", new NodeEvent(status.Id, node));
                        sent = node.Seq;
                    }

                    // The end is always told, once per stream, even when its change number was already used
                    // by a node's last change: a watcher must not wait for an end it was never sent.
                    bool finalNotSent = status.Phase.IsTerminal() && !ended && after < status.Seq;
                    if (status.Seq > sent || finalNotSent)
                    {
                        Append(text, status.Seq, "run", new RunEvent(status.Id, status.Phase, status.Suspended, status.Message, status.Waiting) { WaitingForLock = status.WaitingForLock });
                        sent = Math.Max(sent, status.Seq);
                        ended = status.Phase.IsTerminal();
                    }

                    DateTimeOffset now = clock.GetUtcNow();
                    if (text.Length == 0 && now - lastWrite >= options.EventHeartbeat)
                    {
                        text.Append(": heartbeat\n\n");
                    }

                    if (text.Length > 0)
                    {
                        await http.Response.WriteAsync(text.ToString(), cancellationToken);
                        await http.Response.Body.FlushAsync(cancellationToken);
                        lastWrite = now;
                    }

                    if (status.Phase.IsTerminal())
                    {
                        return;
                    }

                    await Task.Delay(options.EventPollInterval, clock, cancellationToken);
                    status = await runs.GetAsync(status.Id, cancellationToken) ?? status;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client went away; it resumes with Last-Event-ID.
            }
        }

        static void Append<T>(StringBuilder text, int id, string type, T data) =>
            text.Append(CultureInfo.InvariantCulture, $"id: {id}\nevent: {type}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n");
    }
}
