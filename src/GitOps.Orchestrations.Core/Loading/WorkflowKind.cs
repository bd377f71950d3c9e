using System.Text.Json;
using GitOps.Orchestrations.Core.Events;
using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// <c>kind: Workflow</c>: maps the spec onto the workflow model. Structural problems (wrong types,
/// unknown or missing fields, bad durations) are reported with their positions while reading;
/// cross-references within the workflow (depends, templates, cycles) are checked afterwards by
/// <see cref="WorkflowValidator"/>, and across workflows by <see cref="WorkflowCatalog"/>.
/// </summary>
public sealed class WorkflowKind : DocumentKind<WorkflowDocument>
{
    public const string Name = "Workflow";

    /// <summary>The <c>uses</c> of a task that calls a WorkflowTemplate (<c>templateRef</c>).</summary>
    public const string TemplateTaskType = "template";

    /// <summary>The name of a template's single step (<c>spec.task</c>), whose outputs are the template's unless it declares its own.</summary>
    public const string TemplateBody = "main";

    /// <summary>The largest <c>parallelism</c>, a fan-out's largest size.</summary>
    public const int MaxParallelism = 10_000;

    public override string Kind => Name;

    public override string? NameProblem(string name) => DocumentNames.DnsLabel(name, "workflow");

    public override WorkflowDocument? Read(KindReader reader) => ReadDocument(reader, template: false);

    /// <summary>Reads a Workflow, or with <paramref name="template"/> a WorkflowTemplate: its inputs, outputs and task body or DAG.</summary>
    internal static WorkflowDocument? ReadDocument(KindReader reader, bool template)
    {
        int before = reader.ProblemCount;
        WorkflowDocument? workflow = new SpecReader(reader, template).Read();
        if (workflow is not null)
        {
            // Cross-checks run even after structural errors, so one pass reports everything it can.
            WorkflowValidator.Validate(workflow, reader.TaskTypes, reader.Diagnostics);
        }

        return reader.ProblemCount == before ? workflow : null;
    }

    sealed class SpecReader(KindReader reader, bool template)
    {
        readonly string file = reader.File;
        readonly ITaskTypeCatalog catalog = reader.TaskTypes;
        readonly List<Diagnostic> diagnostics = reader.Diagnostics;
        readonly SourceMap map = new(reader.File, reader.Position);

        public WorkflowDocument? Read()
        {
            MappingReader spec = reader.Spec;
            string name = reader.Name;
            IReadOnlyList<ParamSpec> parameters = ReadParams(spec.Node(template ? "inputs" : "params"), template ? "inputs" : "params");
            TimeSpan? timeout = spec.Duration("timeout");
            bool failFast = spec.Boolean("failFast") ?? true;
            int? parallelism = spec.Integer("parallelism", 1, MaxParallelism);
            SynchronizationSpec? synchronization = template ? null : ReadSynchronization(spec.Node("synchronization"));
            TaskSpec? onExit = spec.Node("onExit") is YNode exitNode ? ReadTask(exitNode, defaultName: "onExit") : null;
            LifecycleHooks? hooks = ReadHooks(spec, null);
            IReadOnlyList<ScheduleSpec> schedules = template ? [] : ReadList(spec.Node("schedules"), "schedules", "a schedule", ReadSchedule);
            var eventTriggers = new List<EventTriggerSpec>();
            IReadOnlyList<GitTriggerSpec> triggers = template ? [] : ReadList(spec.Node("triggers"), "triggers", "a trigger", reader => ReadTrigger(reader, parameters, eventTriggers));
            IReadOnlyList<Notifications.SubscriptionSpec> notifications = template ? [] : NotificationReader.Read(file, spec.Node("notifications"), diagnostics);
            IReadOnlyDictionary<string, string>? outputs = ReadOutputs(spec, "outputs", []);
            var tasks = new List<TaskSpec>();

            // A template holds one step (task) or a DAG (tasks); a workflow always a DAG.
            YNode? body = template && spec.Node("task") is YNode single ? single : null;
            if (body is not null)
            {
                if (spec.Node("tasks") is YNode both)
                {
                    spec.Error(both.Position, "a template holds task (one step) or tasks (a DAG), not both");
                }
                else if (ReadTask(body, defaultName: TemplateBody) is TaskSpec task)
                {
                    tasks.Add(task);
                }
            }

            switch (body is null ? spec.Node("tasks", required: true) : null)
            {
                case YSequence sequence:
                    if (sequence.Items.Count == 0)
                    {
                        spec.Error(sequence.Position, "tasks must list at least one task");
                    }

                    foreach (YNode item in sequence.Items)
                    {
                        if (ReadTask(item, defaultName: null) is TaskSpec task)
                        {
                            tasks.Add(task);
                        }
                    }

                    break;
                case YNode other:
                    spec.Error(other.Position, "tasks must be a list");
                    break;
            }

            spec.RejectUnknown();
            var definition = new WorkflowDefinition
            {
                Name = name,
                Labels = reader.Labels,
                Params = parameters,
                Timeout = timeout,
                FailFast = failFast,
                Parallelism = parallelism,
                Synchronization = synchronization,
                OnExit = onExit,
                Hooks = hooks,
                Tasks = tasks,
                Schedules = schedules,
                Triggers = triggers,
                EventTriggers = eventTriggers,
                Notifications = notifications,
                Outputs = outputs,
            };
            return new WorkflowDocument(definition, map);
        }

        // synchronization: {mutex: NAME} or {semaphore: NAME, limit: N}. Exactly one lock: a run
        // that waited for two could deadlock with a run that took them in the other order.
        SynchronizationSpec? ReadSynchronization(YNode? node)
        {
            if (MappingReader.For(file, node, "synchronization", diagnostics) is not MappingReader sync)
            {
                return null;
            }

            string? mutex = sync.String("mutex");
            string? semaphore = sync.String("semaphore");
            int? limit = sync.Integer("limit", 1, SynchronizationSpec.MaxLimit);
            sync.RejectUnknown();
            if ((mutex is null) == (semaphore is null))
            {
                sync.Error(node!.Position, "synchronization names one lock: mutex: NAME, or semaphore: NAME with limit: N");
                return null;
            }

            string name = (mutex ?? semaphore)!;
            if (DocumentNames.DnsLabel(name, "lock") is string problem)
            {
                sync.Error(sync.PositionOf(mutex is null ? "semaphore" : "mutex") ?? node!.Position, problem);
                return null;
            }

            if (mutex is not null && limit is not null)
            {
                sync.Error(sync.PositionOf("limit") ?? node!.Position, "a mutex has one holder; limit belongs to a semaphore");
                return null;
            }

            if (semaphore is not null && limit is null)
            {
                sync.Error(node!.Position, "a semaphore needs limit: how many runs may hold it at once");
                return null;
            }

            return mutex is not null ? new SynchronizationSpec(LockKind.Mutex, mutex, 1) : new SynchronizationSpec(LockKind.Semaphore, semaphore!, limit!.Value);
        }

        List<T> ReadList<T>(YNode? node, string field, string what, Func<MappingReader, T?> read)
            where T : class
        {
            var items = new List<T>();
            if (node is null)
            {
                return items;
            }

            if (node is not YSequence sequence)
            {
                diagnostics.Add(new(file, node.Position, $"{field} must be a list"));
                return items;
            }

            foreach (YNode item in sequence.Items)
            {
                if (MappingReader.For(file, item, what, diagnostics) is MappingReader reader && read(reader) is T value)
                {
                    items.Add(value);
                }
            }

            return items;
        }

        ScheduleSpec? ReadSchedule(MappingReader reader)
        {
            (string? cron, string? timezone) = CalendarReader.Read(reader);
            string? policy = reader.String("concurrencyPolicy");
            TimeSpan? deadline = reader.Duration("startingDeadline");
            reader.RejectUnknown();
            bool valid = cron is not null && timezone is not null;

            ConcurrencyPolicy concurrency = ConcurrencyPolicy.Allow;
            if (policy is not null && !Enum.TryParse(policy, ignoreCase: false, out concurrency))
            {
                reader.Error(reader.PositionOf("concurrencyPolicy")!.Value, $"concurrencyPolicy must be Allow, Forbid or Replace, not '{policy}'");
                valid = false;
            }

            return valid ? new ScheduleSpec(cron!, timezone!, concurrency, deadline) : null;
        }

        /// <summary>A trigger is one of git, webhook, queue or blob; event triggers go to <paramref name="events"/>.</summary>
        GitTriggerSpec? ReadTrigger(MappingReader reader, IReadOnlyList<ParamSpec> parameters, List<EventTriggerSpec> events)
        {
            string[] kinds = ["git", "webhook", "queue", "blob"];
            List<string> written = [.. kinds.Where(k => reader.Mapping[k] is not null)];
            if (written.Count != 1)
            {
                reader.Error(reader.Mapping.Position, $"a trigger is exactly one of {string.Join(", ", kinds)}");
                return null;
            }

            if (written[0] != "git")
            {
                EventSourceKind source = written[0] switch { "webhook" => EventSourceKind.Webhook, "queue" => EventSourceKind.Queue, _ => EventSourceKind.Blob };
                MappingReader? eventReader = MappingReader.For(file, reader.Node(written[0]), $"a {written[0]} trigger", diagnostics);
                reader.RejectUnknown();
                if (eventReader is not null && EventTriggerReader.Read(eventReader, source, parameters) is EventTriggerSpec trigger)
                {
                    events.Add(trigger);
                }

                return null;
            }

            MappingReader? git = MappingReader.For(file, reader.Node("git", required: true), "a git trigger", diagnostics);
            reader.RejectUnknown();
            if (git is null)
            {
                return null;
            }

            YNode? pathsNode = git.Node("paths", required: true);
            git.RejectUnknown();
            switch (pathsNode)
            {
                case YSequence { Items.Count: > 0 } paths when paths.Items.All(p => p is YScalar { Value.Length: > 0 }):
                    return new GitTriggerSpec(paths.Items.Cast<YScalar>().Select(p => p.Value).ToList());
                case YNode other:
                    git.Error(other.Position, "paths must be a non-empty list of glob patterns");
                    return null;
                default:
                    return null;
            }
        }

        IReadOnlyList<ParamSpec> ReadParams(YNode? node, string field)
        {
            var parameters = new List<ParamSpec>();
            if (node is null)
            {
                return parameters;
            }

            if (node is not YSequence sequence)
            {
                diagnostics.Add(new(file, node.Position, $"{field} must be a list of {{name, default}}"));
                return parameters;
            }

            foreach (YNode item in sequence.Items)
            {
                MappingReader? reader = MappingReader.For(file, item, field == "inputs" ? "an input" : "a param", diagnostics);
                if (reader is null)
                {
                    continue;
                }

                string? name = reader.String("name", required: true);
                string? defaultValue = reader.Node("default") switch
                {
                    null => null,
                    YScalar scalar => scalar.Value,
                    YNode structured => Json(structured)?.GetRawText(),
                };
                string? description = reader.String("description");
                List<string>? allowed = reader.Node("enum") switch
                {
                    null => null,
                    YSequence values => values.Items.OfType<YScalar>().Select(v => v.Value).ToList(),
                    YNode other => Fail<List<string>>(other.Position, "enum must be a list of strings"),
                };
                reader.RejectUnknown();
                if (name is null)
                {
                    continue;
                }

                if (!DocumentNames.ParamNamePattern().IsMatch(name))
                {
                    reader.Error(reader.PositionOf("name")!.Value, $"param name '{name}' must start with a letter or '_' and hold only letters, digits, '_' and '-'");
                }
                else if (parameters.Any(p => p.Name == name))
                {
                    reader.Error(reader.PositionOf("name")!.Value, $"duplicate param '{name}'");
                }
                else if (allowed is not null && defaultValue is not null && !allowed.Contains(defaultValue))
                {
                    reader.Error(reader.PositionOf("default")!.Value, $"default '{defaultValue}' of param '{name}' is not one of its enum values");
                }
                else
                {
                    parameters.Add(new ParamSpec(name, defaultValue, description, allowed));
                }
            }

            return parameters;
        }

        TaskSpec? ReadTask(YNode node, string? defaultName)
        {
            MappingReader? task = MappingReader.For(file, node, defaultName ?? "a task", diagnostics);
            if (task is null)
            {
                return null;
            }

            string? name = task.String("name", required: defaultName is null) ?? defaultName;
            string? uses = task.String("uses", required: task.Mapping["templateRef"] is null);
            if (name is not null && !DocumentNames.TaskNamePattern().IsMatch(name))
            {
                task.Error(task.PositionOf("name")!.Value, $"task name '{name}' must start with a letter or digit and hold only letters, digits, '_' and '-' (at most 63)");
                name = null;
            }

            string key = name ?? "?";
            map.Set(key, null, task.PositionOf("name") ?? node.Position);

            JsonElement? with = null;
            if (task.Node("with") is YNode withNode)
            {
                map.Set(key, "with", withNode.Position);
                if (withNode is YMapping withMapping)
                {
                    foreach (var (field, value) in withMapping.Entries)
                    {
                        map.Set(key, $"with.{field.Value}", field.Position);
                        map.Set(key, $"with.{field.Value}:value", ValueStart(value));
                    }

                    with = Json(withNode) is { ValueKind: JsonValueKind.Object } converted ? converted : null;
                }
                else
                {
                    task.Error(withNode.Position, "with must be a mapping of the task type's settings");
                }
            }

            string? dependencies = ReadDependencies(task, key);
            string? depends = ScalarWithPosition(task, key, "depends") ?? dependencies;
            string? when = ScalarWithPosition(task, key, "when");
            string? withParam = ScalarWithPosition(task, key, "withParam");
            JsonElement? withItems = null;
            if (task.Node("withItems") is YNode itemsNode)
            {
                map.Set(key, "withItems", itemsNode.Position);
                if (itemsNode is YSequence)
                {
                    withItems = Json(itemsNode) is { ValueKind: JsonValueKind.Array } converted ? converted : null;
                }
                else
                {
                    task.Error(itemsNode.Position, "withItems must be a list");
                }
            }

            if (task.Node("withSequence") is YNode sequenceNode)
            {
                map.Set(key, "withSequence", sequenceNode.Position);
            }

            SequenceSpec? sequence = ReadSequence(task.Node("withSequence"));
            IReadOnlyDictionary<string, string>? outputs = ReadOutputs(task, key, TaskTypeSchema.OutputVariables);
            (string? templateRef, RemoteTemplateRef? templateSource) = ReadTemplateRef(task, key);
            if (task.Node("retry") is YNode retryNode)
            {
                map.Set(key, "retry", retryNode.Position);
            }

            RetrySpec? retry = ReadRetry(task.Node("retry"));
            TimeSpan? timeout = task.Duration("timeout");
            int? parallelism = task.Integer("parallelism", 1, MaxParallelism);
            LifecycleHooks? hooks = name is null || defaultName is not null ? null : ReadHooks(task, name);
            ContinueOnSpec? continueOn = ReadContinueOn(task.Node("continueOn"));
            task.RejectUnknown();

            if (task.Mapping["templateRef"] is not null)
            {
                if (uses is not null && uses != TemplateTaskType)
                {
                    task.Error(task.PositionOf("uses")!.Value, $"a task with templateRef runs the template; leave out uses, or write uses: {TemplateTaskType}");
                }

                // The arguments are checked against the template's inputs by the catalog, which knows every template.
                uses = TemplateTaskType;
                if (task.Node("with") is YNode argsNode && argsNode is not YMapping)
                {
                    return null;
                }
            }

            if (name is null || uses is null || (uses == TemplateTaskType && templateRef is null))
            {
                if (uses == TemplateTaskType && templateRef is null && task.Mapping["templateRef"] is null)
                {
                    task.Error(task.PositionOf("uses")!.Value, "uses: template needs templateRef: {name: TEMPLATE}");
                }

                return null;
            }

            if (uses != TemplateTaskType)
            {
                if (!catalog.TryGetSchema(uses, out TaskTypeSchema? schema))
                {
                    task.Error(task.PositionOf("uses")!.Value, $"unknown task type '{uses}' (known: {string.Join(", ", catalog.Names.Order(StringComparer.Ordinal))})");
                    return null;
                }

                CheckWith(task, key, schema, with, task.Node("with") as YMapping);
            }

            if (withItems is not null && withParam is not null)
            {
                task.Error(map.Of(key, "withParam"), "withItems and withParam cannot be used together");
            }

            if (sequence is not null && (withItems is not null || withParam is not null))
            {
                task.Error(task.PositionOf("withSequence")!.Value, "withSequence cannot be combined with withItems or withParam");
            }

            return new TaskSpec
            {
                Name = name,
                Uses = uses,
                With = with,
                Depends = depends,
                When = when,
                WithItems = withItems,
                WithParam = withParam,
                WithSequence = sequence,
                Retry = retry,
                Timeout = timeout,
                ContinueOn = continueOn,
                Outputs = outputs,
                Parallelism = parallelism,
                Hooks = hooks,
                TemplateRef = templateRef,
                TemplateSource = templateSource,
            };
        }

        /// <summary><c>outputs: {NAME: {from: EXPRESSION}}</c>: what the step's result is turned into.</summary>
        IReadOnlyDictionary<string, string>? ReadOutputs(MappingReader task, string key, IReadOnlyList<string> variables)
        {
            // key is the task's name, or "outputs" for a workflow's or template's own outputs.
            switch (task.Node("outputs"))
            {
                case null:
                    return null;
                case YMapping mapping:
                    var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (name, value) in mapping.Entries)
                    {
                        MappingReader? output = MappingReader.For(file, value, $"output '{name.Value}'", diagnostics);
                        string? from = output?.String("from", required: true);
                        output?.RejectUnknown();
                        if (!DocumentNames.ParamNamePattern().IsMatch(name.Value))
                        {
                            task.Error(name.Position, $"output name '{name.Value}' must start with a letter or '_' and hold only letters, digits, '_' and '-'");
                            continue;
                        }

                        if (from is null)
                        {
                            continue;
                        }

                        SourcePosition at = output!.PositionOf("from")!.Value;
                        map.Set(key, $"outputs.{name.Value}", output.Mapping["from"] is YNode fromNode ? ValueStart(fromNode) : at);
                        if (FieldChecks.CheckExpression(from, out SourcePosition inside, variables) is string problem)
                        {
                            task.Error(map.Of(key, $"outputs.{name.Value}").Offset(inside.Column - 1), $"invalid output '{name.Value}': {problem}");
                            continue;
                        }

                        outputs[name.Value] = from;
                    }

                    return outputs;
                case YNode other:
                    task.Error(other.Position, "outputs must be a mapping of names to {from: EXPRESSION}");
                    return null;
            }
        }

        /// <summary>
        /// Argo's older <c>dependencies: [a, b]</c>: every one must succeed (or be skipped), which is
        /// <c>depends: "a &amp;&amp; b"</c>. Only one of the two spellings may be written.
        /// </summary>
        string? ReadDependencies(MappingReader task, string key)
        {
            switch (task.Node("dependencies"))
            {
                case null:
                    return null;
                case YSequence { Items.Count: > 0 } list when list.Items.All(i => i is YScalar { Value.Length: > 0 }):
                    map.Set(key, "depends", list.Items[0].Position);
                    if (task.Mapping["depends"] is YNode both)
                    {
                        task.Error(both.Position, "write depends or dependencies, not both");
                    }

                    return string.Join(" && ", list.Items.Cast<YScalar>().Select(i => i.Value));
                case YNode other:
                    task.Error(other.Position, "dependencies must be a non-empty list of task names");
                    return null;
            }
        }

        /// <summary>
        /// <c>hooks: {running: STEP, succeeded: STEP, failed: STEP, exit: STEP}</c> on a task or the
        /// workflow; a task's <c>onExit</c> is its <c>exit</c> hook. A hook is a step: no depends, no hooks of its own.
        /// </summary>
        LifecycleHooks? ReadHooks(MappingReader owner, string? name)
        {
            var found = new Dictionary<string, TaskSpec>(StringComparer.Ordinal);
            if (MappingReader.For(file, owner.Node("hooks"), "hooks", diagnostics) is MappingReader hooks)
            {
                foreach (string @event in LifecycleHooks.Events.Where(e => name is not null || e != "exit"))
                {
                    if (hooks.Node(@event) is YNode node && ReadTask(node, defaultName: LifecycleHooks.NodeName(name, @event)) is TaskSpec hook)
                    {
                        found[@event] = hook;
                    }
                }

                hooks.RejectUnknown();
            }

            // Argo's template-level onExit, on a task.
            if (name is not null && owner.Node("onExit") is YNode exitNode)
            {
                if (found.ContainsKey("exit"))
                {
                    owner.Error(exitNode.Position, "write onExit or hooks.exit, not both");
                }
                else if (ReadTask(exitNode, defaultName: LifecycleHooks.NodeName(name, "exit")) is TaskSpec exit)
                {
                    found["exit"] = exit;
                }
            }

            foreach (TaskSpec hook in found.Values.Where(h => h.Depends is not null || h.Hooks is not null))
            {
                diagnostics.Add(new(file, map.Of(hook.Name), $"hook '{hook.Name}' runs when its event comes; it cannot have depends or hooks"));
            }

            return found.Count == 0 ? null : new LifecycleHooks
            {
                Running = found.GetValueOrDefault("running"),
                Succeeded = found.GetValueOrDefault("succeeded"),
                Failed = found.GetValueOrDefault("failed"),
                Exit = found.GetValueOrDefault("exit"),
            };
        }

        /// <summary>
        /// <c>templateRef: {name: TEMPLATE}</c>: the WorkflowTemplate of this folder that the task runs;
        /// with <c>repo</c> and <c>revision</c> (a commit SHA), one of another repository's <c>folder</c>.
        /// </summary>
        (string? Key, RemoteTemplateRef? Source) ReadTemplateRef(MappingReader task, string key)
        {
            MappingReader? reference = MappingReader.For(file, task.Node("templateRef"), "templateRef", diagnostics);
            if (reference is null)
            {
                return (null, null);
            }

            string? name = reference.String("name", required: true);
            string? repository = reference.String("repo");
            string? revision = reference.String("revision", required: repository is not null);
            string? folder = reference.String("folder");
            reference.RejectUnknown();
            if (name is not null)
            {
                map.Set(key, "templateRef", reference.PositionOf("name")!.Value);
            }

            if (repository is null)
            {
                if ((reference.PositionOf("revision") ?? reference.PositionOf("folder")) is SourcePosition stray)
                {
                    reference.Error(stray, "templateRef.revision and templateRef.folder go with repo: a template of this folder is read at the run's own commit");
                }

                return (name, null);
            }

            if (RemoteTemplates.RepositoryProblem(repository) is string problem)
            {
                reference.Error(reference.PositionOf("repo")!.Value, problem);
                return (null, null);
            }

            if (revision is not null && !RemoteTemplates.IsCommit(revision))
            {
                reference.Error(reference.PositionOf("revision")!.Value, $"templateRef.revision must be a full commit SHA (40 hex digits), not '{revision}': a branch or tag can move, and runs are pinned to commits");
                return (null, null);
            }

            if (name is null || revision is null)
            {
                return (null, null);
            }

            var source = new RemoteTemplateRef(name, repository, revision, (folder ?? RemoteTemplateRef.DefaultFolder).Trim('/'));
            return (source.Key, source);
        }

        void CheckWith(MappingReader task, string key, TaskTypeSchema schema, JsonElement? with, YMapping? withNode)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            if (with is JsonElement settings)
            {
                foreach (JsonProperty property in settings.EnumerateObject())
                {
                    present.Add(property.Name);
                    SourcePosition at = map.Of(key, $"with.{property.Name}");
                    if (!schema.Fields.TryGetValue(property.Name, out FieldSpec? field))
                    {
                        if (!schema.AllowsExtraFields)
                        {
                            task.Error(at, $"unknown field '{property.Name}' in with of '{schema.Name}' task (allowed: {string.Join(", ", schema.Fields.Keys.Order(StringComparer.Ordinal))})");
                        }

                        continue;
                    }

                    string? problem = FieldChecks.Check(field, property.Value);
                    if (problem is not null)
                    {
                        task.Error(map.Of(key, $"with.{property.Name}:value"), $"with.{property.Name}: {problem}");
                        continue;
                    }

                    foreach (FieldProblem nested in field.Shape?.Check(property.Value) ?? [])
                    {
                        task.Error(PositionWithin(withNode?[property.Name], nested.Path) ?? map.Of(key, $"with.{property.Name}:value"), $"{nested.Describe($"with.{property.Name}")}: {nested.Message}");
                    }
                }
            }

            foreach (FieldProblem problem in with is JsonElement written && schema.Check is { } check ? check(written) : [])
            {
                task.Error(PositionWithin(withNode, problem.Path) ?? map.Of(key, "with"), $"{problem.Describe("with")}: {problem.Message}");
            }

            foreach (var (name, field) in schema.Fields)
            {
                if (field.Required && !present.Contains(name))
                {
                    task.Error(map.Of(key, "with"), $"'{schema.Name}' task is missing required field with.{name}");
                }
            }
        }

        // Where a nested path was written: the key of a mapping entry, the start of a list item; the
        // deepest part of the path that exists, since a problem may be about something missing.
        static SourcePosition? PositionWithin(YNode? node, IReadOnlyList<object> path)
        {
            SourcePosition? found = node is null ? null : ValueStart(node);
            foreach (object segment in path)
            {
                switch (segment, node)
                {
                    case (string name, YMapping mapping) when mapping.Entries.FirstOrDefault(e => e.Key.Value == name) is { Key: not null } entry:
                        found = entry.Key.Position;
                        node = entry.Value;
                        break;
                    case (int index, YSequence sequence) when index < sequence.Items.Count:
                        node = sequence.Items[index];
                        found = ValueStart(node);
                        break;
                    default:
                        return found;
                }
            }

            return found;
        }

        string? ScalarWithPosition(MappingReader task, string key, string field)
        {
            YNode? node = task.Node(field);
            switch (node)
            {
                case null:
                    return null;
                case YScalar scalar:
                    map.Set(key, field, ValueStart(scalar));
                    return scalar.Value;
                default:
                    task.Error(node.Position, $"'{field}' must be a string");
                    return null;
            }
        }

        SequenceSpec? ReadSequence(YNode? node)
        {
            MappingReader? reader = MappingReader.For(file, node, "withSequence", diagnostics);
            if (reader is null)
            {
                return null;
            }

            string? count = Bound(reader, "count"), start = Bound(reader, "start"), end = Bound(reader, "end");
            string? format = reader.String("format");
            reader.RejectUnknown();
            if (count is null && start is null && end is null)
            {
                reader.Error(reader.Mapping.Position, "withSequence needs count (and optionally start), or start and end");
                return null;
            }

            if (count is not null && end is not null)
            {
                reader.Error(reader.Mapping.Position, "withSequence takes count or end, not both");
                return null;
            }

            if (format is not null && SequenceFormat.Problem(format) is string problem)
            {
                reader.Error(reader.PositionOf("format")!.Value, problem);
                return null;
            }

            var spec = new SequenceSpec { Count = count, Start = start, End = end, Format = format };
            if (new[] { count, start, end }.All(b => b is null || !Templating.Template.HasReferences(b)))
            {
                try
                {
                    spec.Items(text => text);
                }
                catch (FormatException e)
                {
                    reader.Error(reader.Mapping.Position, e.Message);
                    return null;
                }
            }

            return spec;
        }

        /// <summary>A sequence bound: an integer, or a template resolved when the node starts.</summary>
        static string? Bound(MappingReader reader, string field)
        {
            switch (reader.Node(field))
            {
                case null:
                    return null;
                case YScalar scalar when Templating.Template.HasReferences(scalar.Value)
                    || int.TryParse(scalar.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _):
                    return scalar.Value;
                case YNode other:
                    reader.Error(other.Position, $"withSequence {field} must be an integer or a {{{{...}}}} template");
                    return null;
            }
        }

        RetrySpec? ReadRetry(YNode? node)
        {
            MappingReader? reader = MappingReader.For(file, node, "retry", diagnostics);
            if (reader is null)
            {
                return null;
            }

            // No limit retries until success, as in Argo; the validator allows that only under a workflow timeout.
            int? limit = reader.Integer("limit", 0, RetryLimits.MaxLimit);
            BackoffSpec? backoff = null;
            if (MappingReader.For(file, reader.Node("backoff"), "backoff", diagnostics) is MappingReader b)
            {
                TimeSpan duration = b.Duration("duration") ?? TimeSpan.FromSeconds(1);
                double factor = 1;
                if (b.Node("factor") is YScalar f)
                {
                    if (!double.TryParse(f.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out factor) || factor < 1 || factor > 100)
                    {
                        b.Error(f.Position, "backoff.factor must be a number from 1 to 100");
                        factor = 1;
                    }
                }

                TimeSpan? max = b.Duration("maxDuration");
                TimeSpan? cap = b.Duration("cap");
                b.RejectUnknown();
                backoff = new BackoffSpec(duration, factor, max, cap);
            }

            RetryPolicy policy = RetryPolicy.OnFailure;
            if (reader.String("retryPolicy") is string policyText && !Enum.TryParse(policyText, ignoreCase: false, out policy))
            {
                reader.Error(reader.PositionOf("retryPolicy")!.Value, $"retryPolicy must be {string.Join(", ", Enum.GetNames<RetryPolicy>())}, not '{policyText}'");
            }

            string? expression = reader.String("expression");
            if (expression is not null && FieldChecks.CheckExpression(expression, out SourcePosition inside, RetryLimits.ExpressionVariables) is string problem)
            {
                SourcePosition at = reader.PositionOf("expression")!.Value;
                reader.Error(reader.Mapping["expression"] is YScalar { IsPlain: false } ? at.Offset(inside.Column) : at.Offset(inside.Column - 1), $"invalid retry expression: {problem}");
            }

            reader.RejectUnknown();
            return new RetrySpec(limit, backoff, policy, expression);
        }

        ContinueOnSpec? ReadContinueOn(YNode? node)
        {
            MappingReader? reader = MappingReader.For(file, node, "continueOn", diagnostics);
            if (reader is null)
            {
                return null;
            }

            var spec = new ContinueOnSpec(reader.Boolean("failed") ?? false, reader.Boolean("error") ?? false);
            reader.RejectUnknown();
            return spec;
        }

        JsonElement? Json(YNode node) => reader.Json(node);

        T? Fail<T>(SourcePosition position, string message)
            where T : class
        {
            diagnostics.Add(new(file, position, message));
            return null;
        }

        static SourcePosition ValueStart(YNode node) =>
            node is YScalar { IsPlain: false } ? node.Position.Offset(1) : node.Position;
    }
}
