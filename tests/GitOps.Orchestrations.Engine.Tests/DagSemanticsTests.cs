using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// DAG semantics driven through real orchestrations: the engine host, the gRPC sidecar, the worker
/// and the backend. Every case runs on both backends (see the two classes at the end).
/// </summary>
public abstract class DagSemanticsTests(EngineBackend backend)
{
    const string Header = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n";

    static NodeStatus Node(RunStatus run, string name) => run.Nodes.Single(n => n.Name == name);

    static string Output(RunStatus run, string node, string output) => Node(run, node).Outputs[output].ValueKind == JsonValueKind.String
        ? Node(run, node).Outputs[output].GetString()!
        : Node(run, node).Outputs[output].GetRawText();

    [Fact]
    public async Task Retention_purges_ended_runs_with_their_children_and_effects_and_keeps_waiting_ones()
    {
        RunStatus ended = await backend.RunAsync(Header + """
            metadata: {name: kept-briefly}
            spec:
              tasks:
                - {name: call, uses: http, with: {url: "{{http}}/echo/once"}}
                - name: child
                  uses: workflow
                  with: {name: leaf}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: leaf}
            spec:
              tasks: [{name: a, uses: log, with: {message: leaf}}]
            """);
        Assert.Equal(WorkflowPhase.Succeeded, ended.Phase);
        string waiting = await backend.Engine.Runs.StartAsync(EngineBackend.Snapshot(Header + """
            metadata: {name: still-waiting}
            spec:
              tasks: [{name: gate, uses: approval, with: {approvers: [alice]}}]
            """), null, "tester");
        await Eventually.True(async () => (await backend.Engine.Runs.GetAsync(waiting))?.Waiting.Count == 1, "the gate to wait");
        var journal = (Idempotency.IEffectJournal)backend.Engine.Services.GetService(typeof(Idempotency.IEffectJournal))!;
        var audit = (Audit.IAuditLog)backend.Engine.Services.GetService(typeof(Audit.IAuditLog))!;
        await audit.AppendAsync(new Audit.AuditEntry { At = DateTime.UtcNow.AddDays(-2), Actor = "olga", Action = "start", RunId = ended.Id, Outcome = "accepted" });

        // Retention measures from creation: everything here was created before "a minute from now".
        DateTimeOffset cutoff = DateTimeOffset.UtcNow.AddMinutes(1);
        int purged = await backend.Engine.Runs.PurgeEndedAsync(cutoff);
        Assert.True(purged >= 2, $"the run and its sub-workflow, not {purged}");
        Assert.Null(await backend.Engine.Runs.GetAsync(ended.Id));
        await foreach (var left in backend.Engine.Client.GetAllInstancesAsync(new Microsoft.DurableTask.Client.OrchestrationQuery { InstanceIdPrefix = ended.Id }))
        {
            Assert.Fail($"{left.InstanceId} outlived its run's retention");
        }

        Assert.NotNull(await backend.Engine.Runs.GetAsync(waiting));
        Assert.True(await journal.PurgeAsync(cutoff) >= 1, "the http call's journal entry");
        Assert.Equal(1, await audit.PurgeAsync(DateTimeOffset.UtcNow.AddDays(-1)));
        Assert.Empty(await audit.ReadAsync(ended.Id, 10));
        await backend.Engine.Client.TerminateInstanceAsync(waiting);
    }

    [Fact]
    public async Task Diamond_runs_each_node_once_after_its_parents()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: diamond}
            spec:
              tasks:
                - {name: a, uses: log, with: {message: top}}
                - {name: b, uses: log, depends: a, with: {message: "left after {{tasks.a.outputs.message}}"}}
                - {name: c, uses: wait, depends: a, with: {duration: 1s}}
                - {name: d, uses: log, depends: b && c, with: {message: "bottom after {{tasks.b.outputs.message}}"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.All(run.Nodes, n => Assert.Equal(NodePhase.Succeeded, n.Phase));
        Assert.Equal("bottom after left after top", Output(run, "d", "message"));
        Assert.True(Node(run, "d").StartedAt >= Node(run, "c").FinishedAt);
        Assert.True(Node(run, "b").StartedAt >= Node(run, "a").FinishedAt);
    }

    [Fact]
    public async Task Fan_out_with_param_calls_each_item_and_collects_outputs()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: fanout}
            spec:
              params: [{name: targets, default: '["a","bb","ccc"]'}]
              tasks:
                - name: fan
                  uses: http
                  withParam: "{{params.targets}}"
                  with: {url: "{{http}}/echo/{{item}}"}
                - name: after
                  uses: log
                  depends: fan
                  with: {message: "{{tasks.fan.outputs.status}}"}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(new FanOutSummary(3, 3, 0, 0, 0), Node(run, "fan").Items);
        Assert.Equal("[200,200,200]", Output(run, "after", "message"));
        Assert.Equal("[1,2,3]", JsonSerializer.Serialize(Node(run, "fan").Outputs["json"].EnumerateArray().Select(j => j.GetProperty("length").GetInt32())));
    }

    [Fact]
    public async Task Wide_fan_out_is_split_into_chunks_and_folded_back_in_order()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: wide}
            spec:
              tasks:
                - name: fan
                  uses: log
                  withSequence: {count: 250}
                  with: {message: "item {{item}}"}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(250, Node(run, "fan").Items!.Succeeded);
        string[] messages = Node(run, "fan").Outputs["message"].EnumerateArray().Select(m => m.GetString()!).ToArray();
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"item {i}"), messages);
    }

    [Fact]
    public async Task When_false_skips_and_bare_depends_still_proceeds()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: skips}
            spec:
              params: [{name: mode, default: skip}]
              tasks:
                - {name: maybe, uses: log, when: "'{{params.mode}}' != 'skip'", with: {message: ran}}
                - {name: next, uses: log, depends: maybe, with: {message: next}}
                - {name: only-if-ran, uses: log, depends: maybe.Succeeded, with: {message: x}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(NodePhase.Skipped, Node(run, "maybe").Phase);
        Assert.Equal(NodePhase.Succeeded, Node(run, "next").Phase);
        Assert.Equal(NodePhase.Omitted, Node(run, "only-if-ran").Phase);
    }

    [Fact]
    public async Task Params_and_responses_reach_expressions_as_values_never_as_code()
    {
        // Spliced into the expression's source, each of these values turned a false guard true.
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: injection}
            spec:
              params: [{name: env, default: dev}]
              failFast: false
              tasks:
                - {name: fetch, uses: http, with: {url: "{{http}}/text?value=1%20%3D%3D%201%20%7C%7C%20true"}}
                - {name: by-param, uses: log, when: "'{{params.env}}' == 'prod'", with: {message: deployed}}
                - {name: by-body, uses: log, depends: fetch, when: "{{tasks.fetch.outputs.body}} == 'ok'", with: {message: x}}
                - {name: by-name, uses: log, depends: fetch, when: "tasks.fetch.outputs.body == 'ok' || params.env == 'prod'", with: {message: x}}
                - {name: condition, uses: http, with: {url: "{{http}}/status/404", successCondition: "'{{params.env}}' == 'prod' || status == 200"}}
            """, new() { ["env"] = "x' != 'y' || 'a" });
        Assert.Equal("1 == 1 || true", Output(run, "fetch", "body"));
        Assert.Equal(NodePhase.Skipped, Node(run, "by-param").Phase);
        Assert.Equal(NodePhase.Skipped, Node(run, "by-body").Phase);
        Assert.Equal(NodePhase.Skipped, Node(run, "by-name").Phase);
        Assert.Equal(NodePhase.Failed, Node(run, "condition").Phase);
    }

    [Fact]
    public async Task Depends_on_a_failed_branch_runs_the_handler_and_the_run_succeeds()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: onfail}
            spec:
              tasks:
                - {name: deploy, uses: http, with: {url: "{{http}}/status/500"}}
                - {name: rollback, uses: log, depends: deploy.Failed, with: {message: "rolling back after {{tasks.deploy.outputs.status}}"}}
                - {name: announce, uses: log, depends: deploy, with: {message: shipped}}
            """);
        Assert.Equal(NodePhase.Failed, Node(run, "deploy").Phase);
        Assert.Contains("returned 500", Node(run, "deploy").Message, StringComparison.Ordinal);
        Assert.Equal("rolling back after 500", Output(run, "rollback", "message"));
        Assert.Equal(NodePhase.Omitted, Node(run, "announce").Phase);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
    }

    [Fact]
    public async Task Http_success_condition_reads_status_and_json_and_a_bad_condition_errors()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: conditions}
            spec:
              failFast: false
              tasks:
                - {name: ok, uses: http, with: {url: "{{http}}/echo/abc", successCondition: "status == 200 && json.length == 3"}}
                - {name: wrong, uses: http, with: {url: "{{http}}/echo/abcd", successCondition: "json.length == 3"}}
                - {name: accepts-404, uses: http, with: {url: "{{http}}/status/404", successCondition: "status == 404"}}
                - {name: broken, uses: http, with: {url: "{{http}}/echo/x", successCondition: "json.missing.deeper == 1"}}
            """);
        Assert.Equal(NodePhase.Succeeded, Node(run, "ok").Phase);
        Assert.Equal(NodePhase.Failed, Node(run, "wrong").Phase);
        Assert.Equal("successCondition 'json.length == 3' is false (status 200)", Node(run, "wrong").Message);
        Assert.Equal(NodePhase.Succeeded, Node(run, "accepts-404").Phase);
        Assert.Equal(NodePhase.Errored, Node(run, "broken").Phase);
        Assert.Contains("failed", Node(run, "broken").Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
    }

    [Fact]
    public async Task Unhandled_failure_fails_the_run_and_failFast_omits_the_rest()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: failfast}
            spec:
              tasks:
                - {name: broken, uses: http, with: {url: "{{http}}/status/404"}}
                - {name: slow, uses: wait, with: {duration: 5s}}
                - {name: later, uses: log, depends: slow, with: {message: x}}
            """);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Equal("broken failed", run.Message);
        Assert.Equal(NodePhase.Succeeded, Node(run, "slow").Phase);
        Assert.Equal(NodePhase.Omitted, Node(run, "later").Phase);
    }

    [Fact]
    public async Task ContinueOn_failed_lets_dependents_run_and_the_run_succeed()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: continueon}
            spec:
              tasks:
                - {name: optional, uses: http, continueOn: {failed: true}, with: {url: "{{http}}/status/503"}}
                - {name: next, uses: log, depends: optional, with: {message: "went on"}}
            """);
        Assert.Equal(NodePhase.Failed, Node(run, "optional").Phase);
        Assert.Equal(NodePhase.Succeeded, Node(run, "next").Phase);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
    }

    [Fact]
    public async Task Retry_with_backoff_succeeds_on_the_third_attempt()
    {
        string name = $"flaky{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: retry}
            spec:
              tasks:
                - name: call
                  uses: http
                  with: {url: "{{http}}/flaky/{{{name}}}?failures=2"}
                  retry: {limit: 3, backoff: {duration: 2s, factor: 2, maxDuration: 10s}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        NodeStatus call = Node(run, "call");
        Assert.Equal(3, call.Attempts);
        Assert.Equal(3, backend.Http.FlakyCalls[name]);
        Assert.Equal("3", call.Outputs["json"].GetProperty("call").GetRawText());
        // Backoff waited 2s then 4s between the three attempts, as the server saw them arrive. Azure
        // Storage timers were seen firing up to a second early (docs/architecture.md), hence the slack.
        DateTime[] arrivals = [.. backend.Http.FlakyCallTimes[name]];
        Assert.True(arrivals[1] - arrivals[0] >= TimeSpan.FromSeconds(0.8), $"first gap {arrivals[1] - arrivals[0]}");
        Assert.True(arrivals[2] - arrivals[1] >= TimeSpan.FromSeconds(2.5), $"second gap {arrivals[2] - arrivals[1]}");
        Assert.True(arrivals[2] - arrivals[1] > arrivals[1] - arrivals[0], "the factor grows the backoff");
    }

    [Fact]
    public async Task Retries_give_up_at_the_limit()
    {
        string name = $"down{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: retrylimit}
            spec:
              tasks:
                - {name: call, uses: http, retry: {limit: 1}, with: {url: "{{http}}/flaky/{{{name}}}?failures=10"}}
            """);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Equal(2, Node(run, "call").Attempts);
        Assert.Contains("after 2 attempts", Node(run, "call").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Task_timeout_fails_the_task()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: tasktimeout}
            spec:
              tasks:
                - {name: stuck, uses: wait, timeout: 1s, with: {duration: 1h}}
            """);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Equal("timed out after 1s", Node(run, "stuck").Message);
    }

    [Fact]
    public async Task Workflow_timeout_fails_running_nodes_omits_pending_and_still_runs_onExit()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: wftimeout}
            spec:
              timeout: 2s
              onExit: {uses: log, with: {message: "exit saw {{workflow.status}}"}}
              tasks:
                - {name: stuck, uses: wait, with: {duration: 1h}}
                - {name: never, uses: log, depends: stuck, with: {message: x}}
            """);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Equal("workflow timeout of 2s exceeded", run.Message);
        Assert.Equal(NodePhase.Failed, Node(run, "stuck").Phase);
        Assert.Equal(NodePhase.Omitted, Node(run, "never").Phase);
        Assert.Equal("exit saw Failed", Output(run, "onExit", "message"));
    }

    [Fact]
    public async Task OnExit_sees_success_and_its_failure_fails_the_run()
    {
        RunStatus ok = await backend.RunAsync(Header + """
            metadata: {name: exitok}
            spec:
              onExit: {uses: log, with: {message: "status {{workflow.status}}"}}
              tasks: [{name: a, uses: log, with: {message: x}}]
            """);
        Assert.Equal("status Succeeded", Output(ok, "onExit", "message"));

        RunStatus bad = await backend.RunAsync(Header + """
            metadata: {name: exitbad}
            spec:
              onExit: {uses: http, with: {url: "{{http}}/status/500"}}
              tasks: [{name: a, uses: log, with: {message: x}}]
            """);
        Assert.Equal(WorkflowPhase.Failed, bad.Phase);
        Assert.StartsWith("onExit failed", bad.Message, StringComparison.Ordinal);
    }

    const string GateWorkflow = Header + """
        metadata: {name: gated}
        spec:
          tasks:
            - {name: gate, uses: approval, with: {timeout: 1h, onTimeout: reject}}
            - {name: ship, uses: log, depends: gate, with: {message: "approved by {{tasks.gate.outputs.decidedBy}}: {{tasks.gate.outputs.comment}}"}}
            - {name: cleanup, uses: log, depends: gate.Failed, with: {message: cleanup}}
        """;

    [Fact]
    public async Task Approval_approved_records_who_and_why()
    {
        RunStatus run = await backend.RunAsync(GateWorkflow, onChange: async (id, status) =>
        {
            if (status.Waiting.Contains("gate"))
            {
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice", "looks good"));
            }
        });
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("approved by alice: looks good", Output(run, "ship", "message"));
        ApprovalRecord record = Assert.Single(Node(run, "gate").Approvals!);
        Assert.Equal(("approve", "alice", "looks good"), (record.Decision, record.By, record.Comment));
        Assert.Equal(NodePhase.Omitted, Node(run, "cleanup").Phase);
    }

    [Fact]
    public async Task Approval_rejected_fails_the_gate_and_runs_the_failure_path()
    {
        RunStatus run = await backend.RunAsync(GateWorkflow, onChange: async (id, status) =>
        {
            if (status.Waiting.Contains("gate"))
            {
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("maybe", "mallory"));
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("reject", "bob", "not today"));
            }
        });
        NodeStatus gate = Node(run, "gate");
        Assert.Equal(NodePhase.Failed, gate.Phase);
        Assert.Equal("rejected by bob: not today", gate.Message);
        Assert.Equal(["refused:maybe", "reject"], gate.Approvals!.Select(a => a.Decision));
        Assert.Equal(NodePhase.Succeeded, Node(run, "cleanup").Phase);
        Assert.Equal(NodePhase.Omitted, Node(run, "ship").Phase);
        Assert.Equal(1, gate.Attempts);
    }

    [Fact]
    public async Task Approval_quorum_counts_distinct_listed_approvers_and_refuses_the_starter_and_strangers()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: quorum}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {approvers: [alice, bob, "group:sre"], quorum: 2}}
            """, onChange: async (id, status) =>
        {
            if (status.Gates.Any(g => g.Node == "gate" && g.Decisions.Count == 0))
            {
                Assert.Equal(["alice", "bob", "group:sre"], status.Gates[0].Policy.Approvers);
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "tester", "my own run"));
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "mallory"));
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice"));
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice", "again"));
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "carol", "on call", ["sre"]));
            }
        });
        NodeStatus gate = Node(run, "gate");
        Assert.Equal(NodePhase.Succeeded, gate.Phase);
        Assert.Equal(["refused:approve", "refused:approve", "approve", "approve", "approve"], gate.Approvals!.Select(a => a.Decision));
        Assert.Contains("started this run", gate.Approvals![0].Comment);
        Assert.Contains("not among the gate's approvers", gate.Approvals![1].Comment);
        Assert.Equal("alice, carol", Output(run, "gate", "decidedBy"));
    }

    [Fact]
    public async Task A_decision_raised_around_the_hosts_is_refused_and_recorded()
    {
        // Any holder of a Durable Task client can raise events; only decisions a host signed count.
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: forged}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {approvers: [alice, bob], quorum: 2}}
            """, onChange: async (id, status) =>
        {
            if (status.Gates.Any(g => g.Node == "gate" && g.Decisions.Count == 0))
            {
                await backend.Engine.Client.RaiseEventAsync(id, ApprovalTaskType.EventName("gate"), new ApprovalDecision("approve", "alice"));
                await backend.Engine.Client.RaiseEventAsync(id, ApprovalTaskType.EventName("gate"), new ApprovalDecision("approve", "bob") { Proof = "Zm9yZ2Vk" });
                ApprovalDecision signedForAnotherRun = backend.Engine.Approvals.Sign("another-run", "gate", new ApprovalDecision("approve", "bob"));
                await backend.Engine.Client.RaiseEventAsync(id, ApprovalTaskType.EventName("gate"), signedForAnotherRun);
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("reject", "alice", "through the host"));
            }
        });
        NodeStatus gate = Node(run, "gate");
        Assert.Equal(NodePhase.Failed, gate.Phase);
        Assert.Equal(["refused:approve", "refused:approve", "refused:approve", "reject"], gate.Approvals!.Select(a => a.Decision));
        Assert.All(gate.Approvals!.Take(3), a => Assert.Contains("no valid proof", a.Comment, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nobody_who_started_a_run_of_a_retry_chain_may_approve_it()
    {
        string yaml = Header + """
            metadata: {name: chain}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {approvers: [tester, olga, alice], timeout: 2m}}
            """;
        WorkflowSnapshot snapshot = EngineBackend.Snapshot(yaml);
        string first = await backend.Engine.Runs.StartAsync(snapshot, null, "tester", $"chain-{Guid.NewGuid():N}");
        await Eventually.True(async () => (await backend.Engine.Runs.GetAsync(first))!.Waiting.Contains("gate"), "the first run's gate to wait");
        await backend.Engine.Runs.TerminateAsync(first, "terminated by its starter");
        await Eventually.True(async () => (await backend.Engine.Runs.GetAsync(first))!.Phase == WorkflowPhase.Terminated, "the first run to end");

        string second = await backend.Engine.Runs.RetryAsync(first, "olga");
        await Eventually.True(async () => (await backend.Engine.Runs.GetAsync(second))!.Waiting.Contains("gate"), "the retried run's gate to wait");
        Assert.Equal(["tester", "olga"], (await backend.Engine.Runs.GetAsync(second))!.Starters);
        await backend.Engine.Runs.DecideAsync(second, "gate", new ApprovalDecision("approve", "tester", "I started the first one"));
        await backend.Engine.Runs.DecideAsync(second, "gate", new ApprovalDecision("approve", "olga", "I retried it"));
        await backend.Engine.Runs.DecideAsync(second, "gate", new ApprovalDecision("approve", "alice"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        RunStatus run = await backend.Engine.Runs.WatchAsync(second, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
        Assert.Equal(["refused:approve", "refused:approve", "approve"], Node(run, "gate").Approvals!.Select(a => a.Decision));
        Assert.Equal("alice", Output(run, "gate", "decidedBy"));
    }

    [Theory]
    [InlineData("approval", "{timeout: 1h}", "spec:\n  timeout: 2s\n", "")]
    [InlineData("wait", "{duration: 1h}", "spec:\n  timeout: 2s\n", "")]
    [InlineData("approval", "{timeout: 1h}", "spec:\n", ", timeout: 2s")]
    [InlineData("approval", "{approvers: [nobody]}", "spec:\n  timeout: 2s\n", "")]
    public async Task A_deadline_ends_a_run_whatever_its_node_waits_for(string uses, string with, string spec, string taskTimeout)
    {
        // Reported: a gate under a workflow or task timeout was marked Failed but its run stayed Running for ever.
        RunStatus run = await backend.RunAsync(Header + $"metadata: {{name: deadline}}\n{spec}  tasks:\n    - {{name: waiting, uses: {uses}, with: {with}{taskTimeout}}}\n");
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Equal(NodePhase.Failed, Node(run, "waiting").Phase);
        Assert.Matches("exceeded|timed out", Node(run, "waiting").Message);
    }

    [Fact]
    public async Task Retries_follow_argo_budget_policy_and_expression()
    {
        string budget = $"budget-{Guid.NewGuid():N}", policy = $"policy-{Guid.NewGuid():N}", judged = $"judged-{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: retries}
            spec:
              failFast: false
              tasks:
                - name: budget
                  uses: http
                  with: {url: "{{http}}/flaky/{{{budget}}}?failures=10"}
                  retry: {limit: 10, backoff: {duration: 1s, factor: 4, maxDuration: 10s}}
                - name: errors-by-default
                  uses: http
                  with: {url: "http://127.0.0.1:9/unreachable"}
                  retry: {limit: 2}
                - name: errors-on-error
                  uses: http
                  with: {url: "http://127.0.0.1:9/unreachable"}
                  retry: {limit: 2, retryPolicy: OnError}
                - name: failures-on-error
                  uses: http
                  with: {url: "{{http}}/flaky/{{{policy}}}?failures=10"}
                  retry: {limit: 2, retryPolicy: OnError}
                - name: judged
                  uses: http
                  with: {url: "{{http}}/flaky/{{{judged}}}?failures=10"}
                  retry: {limit: 5, expression: "lastRetry.status == 'Failed' && lastRetry.attempt < 2"}
            """);

        // maxDuration is a budget from the first attempt: attempts start after 0s, 1s and 5s, and the
        // next delay (16s) would pass 10s. The third attempt has 5s of slack for a slow backend's
        // polling (Azure Storage under load), where a tighter schedule made the count depend on it.
        Assert.Equal(3, Node(run, "budget").Attempts);
        Assert.Contains("not retried: backoff.maxDuration 10s would pass", Node(run, "budget").Message, StringComparison.Ordinal);
        Assert.Equal(1, Node(run, "errors-by-default").Attempts);
        Assert.Equal(NodePhase.Errored, Node(run, "errors-by-default").Phase);
        Assert.Equal(3, Node(run, "errors-on-error").Attempts);
        Assert.Equal(1, Node(run, "failures-on-error").Attempts);
        Assert.Equal(2, Node(run, "judged").Attempts);
        Assert.Contains("retry expression", Node(run, "judged").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outputs_of_a_skipped_task_read_as_empty_strings()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: skipped-outputs}
            spec:
              tasks:
                - {name: maybe, uses: log, when: "1 == 2", with: {message: never}}
                - {name: after, uses: log, depends: maybe, with: {message: "got '{{tasks.maybe.outputs.message}}'"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("got ''", Output(run, "after", "message"));
    }

    [Fact]
    public async Task Retry_reruns_only_what_failed_and_keeps_earlier_outputs()
    {
        string flaky = $"retry-{Guid.NewGuid():N}";
        string effect = $"effect-{Guid.NewGuid():N}";
        RunStatus first = await backend.RunAsync(Header + $$$"""
            metadata: {name: retried}
            spec:
              tasks:
                - {name: build, uses: http, with: {url: "{{http}}/effects/{{{effect}}}", method: POST}}
                - {name: deploy, uses: http, depends: build, with: {url: "{{http}}/flaky/{{{flaky}}}?failures=1"}}
                - {name: report, uses: log, depends: deploy, with: {message: "built {{tasks.build.outputs.status}}"}}
            """);
        Assert.Equal(WorkflowPhase.Failed, first.Phase);

        string retryId = await backend.Engine.Runs.RetryAsync(first.Id, "operator");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        RunStatus second = await backend.Engine.Runs.WatchAsync(retryId, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
        Assert.Equal(WorkflowPhase.Succeeded, second.Phase);
        Assert.Equal(first.Id, second.RetryOf);
        Assert.Equal("operator", second.StartedBy);
        Assert.Equal("built 200", Output(second, "report", "message"));
        Assert.Single(backend.Http.EffectLog, e => e.Effect == effect);
        Assert.Equal(2, backend.Http.FlakyCallTimes[flaky].Count);
        await Assert.ThrowsAsync<RunStateException>(() => backend.Engine.Runs.RetryAsync(retryId, "operator"));
    }

    [Fact]
    public async Task Change_numbers_grow_with_every_change_and_the_final_phase_is_the_last()
    {
        // Longer than one checkpoint, so numbering must carry across ContinueAsNew.
        string tasks = string.Join("\n", Enumerable.Range(0, 14).Select(i => i == 0
            ? "    - {name: s0, uses: log, with: {message: go}}"
            : $"    - {{name: s{i}, uses: log, depends: s{i - 1}, with: {{message: go}}}}"));
        var seen = new List<int>();
        RunStatus run = await backend.RunAsync(Header + "metadata: {name: numbered}\nspec:\n  tasks:\n" + tasks.Replace("\n    -", "\n    -") + "\n", onChange: (_, status) =>
        {
            seen.Add(status.Seq);
            return Task.CompletedTask;
        });
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(run.Nodes.Max(n => n.Seq) + 1, run.Seq);
        Assert.Equal(run.Nodes.Count, run.Nodes.Select(n => n.Seq).Distinct().Count());
    }

    [Theory]
    [InlineData("reject", NodePhase.Failed)]
    [InlineData("approve", NodePhase.Succeeded)]
    public async Task Approval_timeout_applies_onTimeout(string onTimeout, NodePhase expected)
    {
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: gatetimeout}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {timeout: 1s, onTimeout: {{{onTimeout}}}}}
            """);
        NodeStatus gate = Node(run, "gate");
        Assert.Equal(expected, gate.Phase);
        Assert.Equal("timeout", Assert.Single(gate.Approvals!).By);
        Assert.Equal("timeout", gate.Outputs["decidedBy"].GetString());
    }

    [Fact]
    public async Task Sub_workflow_runs_with_params_and_its_failure_propagates()
    {
        const string Yaml = Header + """
            metadata: {name: parent}
            spec:
              tasks:
                - {name: child-ok, uses: workflow, with: {name: child, params: {code: "200"}}}
                - {name: child-bad, uses: workflow, depends: child-ok, with: {name: child, params: {code: "500"}}}
            ---
            """ + "\n" + Header + """
            metadata: {name: child}
            spec:
              params: [{name: code}]
              tasks:
                - {name: call, uses: http, with: {url: "{{http}}/status/{{params.code}}"}}
            """;
        RunStatus run = await backend.RunAsync(Yaml, runId: $"parent-{Guid.NewGuid():N}");
        Assert.Equal(NodePhase.Succeeded, Node(run, "child-ok").Phase);
        Assert.Equal("Succeeded", Output(run, "child-ok", "phase"));
        Assert.Equal(NodePhase.Failed, Node(run, "child-bad").Phase);
        Assert.Contains("ended Failed: call failed", Node(run, "child-bad").Message, StringComparison.Ordinal);
        RunStatus? child = await backend.Engine.Runs.GetAsync(Output(run, "child-ok", "runId"));
        Assert.Equal(WorkflowPhase.Succeeded, child!.Phase);
        Assert.Equal("child", child.Workflow);
    }

    [Fact]
    public async Task Starting_with_an_existing_run_id_returns_the_same_run()
    {
        string id = $"same-{Guid.NewGuid():N}";
        WorkflowSnapshot snapshot = EngineBackend.Snapshot(Header + "metadata: {name: once}\nspec:\n  tasks: [{name: a, uses: log, with: {message: x}}]\n");
        Assert.Equal(id, await backend.Engine.Runs.StartAsync(snapshot, null, "tester", id));
        Assert.Equal(id, await backend.Engine.Runs.StartAsync(snapshot, null, "tester", id));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => backend.Engine.Runs.StartAsync(snapshot, new Dictionary<string, string> { ["nope"] = "1" }, "tester"));
        Assert.Contains("has no param 'nope'", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class MemoryDagSemanticsTests(MemoryBackend backend) : DagSemanticsTests(backend), IClassFixture<MemoryBackend>;

public sealed class AzuriteDagSemanticsTests(AzuriteBackend backend) : DagSemanticsTests(backend), IClassFixture<AzuriteBackend>;

public sealed class LongRunTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    [Fact]
    public async Task A_long_chain_continues_as_new_and_keeps_every_output()
    {
        int length = WorkflowRunClient.DefaultCheckpointEvery * 3 + 5;
        var yaml = new System.Text.StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: long}\nspec:\n  timeout: 10m\n  onExit: {uses: log, with: {message: 'end {{workflow.status}}'}}\n  tasks:\n    - {name: t0, uses: log, with: {message: '0'}}\n");
        for (int i = 1; i < length; i++)
        {
            yaml.Append($"    - {{name: t{i}, uses: log, depends: t{i - 1}, with: {{message: '{{{{tasks.t{i - 1}.outputs.message}}}}.{i}'}}}}\n");
        }

        RunStatus run = await backend.RunAsync(yaml.ToString());
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(length + 1, run.Nodes.Count);
        string last = run.Nodes[length - 1].Outputs["message"].GetString()!;
        Assert.Equal(string.Join('.', Enumerable.Range(0, length)), last);
        Assert.All(run.Nodes, n => Assert.Equal(1, n.Attempts));
        Assert.Equal("end Succeeded", run.Nodes[^1].Outputs["message"].GetString());
    }

    [Fact]
    public async Task FailFast_survives_a_checkpoint()
    {
        // bad fails as the run's CheckpointEvery-th completion while w still runs; when w ends the run
        // continues as new, and the restored run must still refuse to start 'after'.
        int chain = WorkflowRunClient.DefaultCheckpointEvery - 1;
        var yaml = new System.Text.StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: longfail}\nspec:\n  tasks:\n    - {name: t0, uses: log, with: {message: x}}\n");
        for (int i = 1; i < chain; i++)
        {
            yaml.Append($"    - {{name: t{i}, uses: log, depends: t{i - 1}, with: {{message: x}}}}\n");
        }

        yaml.Append($"    - {{name: bad, uses: http, depends: t{chain - 1}, with: {{url: 'http://127.0.0.1:1/'}}}}\n");
        yaml.Append($"    - {{name: w, uses: wait, depends: t{chain - 1}, with: {{duration: 2s}}}}\n");
        yaml.Append("    - {name: after, uses: log, depends: w, with: {message: x}}\n");

        RunStatus run = await backend.RunAsync(yaml.ToString());
        Assert.Equal(WorkflowPhase.Errored, run.Phase);
        NodeStatus after = run.Nodes.Single(n => n.Name == "after");
        Assert.Equal(NodePhase.Omitted, after.Phase);
        Assert.StartsWith("not started: failFast after 'bad'", after.Message, StringComparison.Ordinal);
        Assert.Equal(NodePhase.Succeeded, run.Nodes.Single(n => n.Name == "w").Phase);
    }
}
