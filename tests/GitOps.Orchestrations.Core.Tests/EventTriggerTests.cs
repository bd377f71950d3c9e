using System.Text.Json;
using GitOps.Orchestrations.Core.Events;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>Webhook, queue and blob triggers: how they read, what they reject where, and how an event fires them.</summary>
public sealed class EventTriggerTests
{
    const string Head = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          params: [{name: commit}, {name: who, default: nobody}]

        """;

    static WorkflowDefinition Read(string triggers)
    {
        Loading.LoadResult loaded = Load.Text(Head + triggers + "  tasks:\n    - {name: a, uses: log, with: {message: x}}\n");
        Assert.Empty(loaded.Diagnostics);
        return Assert.Single(loaded.Workflows).Definition;
    }

    [Fact]
    public void Each_source_reads_into_one_trigger_beside_git_triggers()
    {
        WorkflowDefinition workflow = Read("""
              triggers:
                - git: {paths: ["apps/**"]}
                - webhook: {hook: github, events: [push], filter: "body.ref == 'refs/heads/main'", revision: body.after, params: {commit: body.after}}
                - queue: {queue: deploy-requests, params: {commit: body.sha}}
                - blob: {container: releases, prefix: web/}

            """);
        Assert.Single(workflow.Triggers);
        Assert.Equal(
            [
                new EventTriggerSpec(EventSourceKind.Webhook, "github", null, ["push"], "body.ref == 'refs/heads/main'", new Dictionary<string, string> { ["commit"] = "body.after" }, "body.after"),
                new EventTriggerSpec(EventSourceKind.Queue, "deploy-requests", Params: new Dictionary<string, string> { ["commit"] = "body.sha" }),
                new EventTriggerSpec(EventSourceKind.Blob, "releases", "web/"),
            ],
            workflow.EventTriggers,
            new TriggerComparer());
    }

    [Fact]
    public void Mistakes_are_reported_where_they_are_written()
    {
        string bad = Head + """
              triggers:
                - webhook: {hook: GitHub, events: []}
                - queue: {queue: Bad_Queue}
                - webhook: {hook: ok, filter: "payload.ref == 'x'", params: {nope: body.a, commit: "body.a +"}}
                - {git: {paths: [a]}, blob: {container: releases}}
                - blob: {container: releases, events: [x]}
              tasks:
                - {name: a, uses: log, with: {message: x}}
            """;
        List<string> errors = Load.Errors(bad).ToList();
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:7:23: error: hook 'GitHub' must be a DNS label", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:7:39: error: events must be a non-empty list", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:22: error: queue 'Bad_Queue' is not an Azure Storage queue name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:9:35: error: filter: unknown name 'payload'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:9:66: error: params: 'nope' is not a param of this workflow", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:9:", StringComparison.Ordinal) && e.Contains("params.commit:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:10:7: error: a trigger is exactly one of git, webhook, queue, blob", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:11:", StringComparison.Ordinal) && e.Contains("'events'", StringComparison.Ordinal));
    }

    static IncomingEvent Push(string json, string type = "push") =>
        new(EventSourceKind.Webhook, "github", "delivery-1", type, JsonDocument.Parse(json).RootElement.Clone());

    public static TheoryData<string, string, bool, string?, string?> Cases => new()
    {
        // payload, event type, fires, the commit param, the problem
        { """{"ref": "refs/heads/main", "after": "abc123", "pusher": {"name": "ann"}}""", "push", true, "abc123", null },
        { """{"ref": "refs/heads/dev", "after": "abc123"}""", "push", false, null, null },
        { """{"ref": "refs/heads/main", "after": "abc123"}""", "release", false, null, null },
        { """{"ref": "refs/heads/main"}""", "push", false, null, "param 'commit'" },
        { """{"ref": "refs/heads/main", "after": "--upload-pack=evil"}""", "push", false, null, "revision" },
        { """{"ref": "refs/heads/main", "after": "a..b"}""", "push", false, null, "revision" },
        { """{"ref": 42}""", "push", false, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_event_fires_a_trigger_only_when_its_type_and_filter_match_and_its_values_are_usable(string payload, string type, bool fires, string? commit, string? problem)
    {
        WorkflowDefinition workflow = Read("""
              triggers:
                - webhook: {hook: github, events: [push], filter: "body.ref == 'refs/heads/main'", revision: body.after, params: {commit: body.after, who: body.pusher && body.pusher.name}}

            """);
        EventMatch match = EventMatch.Evaluate(workflow, workflow.EventTriggers[0], Push(payload, type));
        Assert.Equal(fires, match.Fires);
        Assert.Equal(commit, match.Params.GetValueOrDefault("commit"));
        if (problem is null)
        {
            Assert.Null(match.Problem);
        }
        else
        {
            Assert.Contains(problem, match.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_run_id_is_the_same_for_every_delivery_of_one_event_and_differs_between_events()
    {
        IncomingEvent one = Push("{}"), again = Push("""{"other": "body"}""");
        Assert.Equal(one.RunIdFor("wf"), again.RunIdFor("wf"));
        Assert.NotEqual(one.RunIdFor("wf"), (one with { Id = "delivery-2" }).RunIdFor("wf"));
        Assert.NotEqual(one.RunIdFor("wf"), (one with { Name = "gitlab" }).RunIdFor("wf"));
        Assert.Matches("^wf\\.webhook\\.[0-9a-f]{16}$", one.RunIdFor("wf"));
    }

    sealed class TriggerComparer : IEqualityComparer<EventTriggerSpec>
    {
        public bool Equals(EventTriggerSpec? x, EventTriggerSpec? y) =>
            x is not null && y is not null
            && (x.Source, x.Name, x.Prefix, x.Filter, x.Revision) == (y.Source, y.Name, y.Prefix, y.Filter, y.Revision)
            && (x.Types ?? []).SequenceEqual(y.Types ?? [])
            && (x.Params ?? new Dictionary<string, string>()).OrderBy(p => p.Key).SequenceEqual((y.Params ?? new Dictionary<string, string>()).OrderBy(p => p.Key));

        public int GetHashCode(EventTriggerSpec obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
