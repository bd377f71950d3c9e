using System.Diagnostics.CodeAnalysis;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes.Delivery;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// Maps <c>uses:</c> to the task type that runs it. Later capabilities (git, render, apply, rollout,
/// promote) add themselves here through DI. An unknown name is an error, never a fallback.
/// </summary>
public sealed class TaskTypeRegistry : ITaskTypeCatalog
{
    readonly Dictionary<string, ITaskType> types = new(StringComparer.Ordinal);

    public TaskTypeRegistry(IEnumerable<ITaskType> taskTypes)
    {
        foreach (ITaskType type in taskTypes)
        {
            if (!types.TryAdd(type.Schema.Name, type))
            {
                throw new InvalidOperationException($"task type '{type.Schema.Name}' is registered twice");
            }
        }
    }

    /// <summary>The registry of built-in task types, for tools that validate without a host.</summary>
    public static TaskTypeRegistry BuiltIn() => BuiltInRegistry.Value;

    static readonly Lazy<TaskTypeRegistry> BuiltInRegistry = new(() => new(BuiltInTaskTypes.Create()));

    public IEnumerable<string> Names => types.Keys;

    /// <summary>The names of the custom task types (written with the SDK) among <see cref="Names"/>.</summary>
    public IEnumerable<string> CustomNames => types.Values.OfType<Custom.CustomTaskType>().Select(t => t.Schema.Name);

    /// <summary>
    /// This registry and the custom task types of <paramref name="custom"/>. A name taken twice is
    /// an error when the host starts, never a silent choice between two task types.
    /// </summary>
    public TaskTypeRegistry With(IEnumerable<Sdk.TaskTypeDefinition> custom) =>
        new([.. types.Values, .. custom.Select(definition => new Custom.CustomTaskType(definition))]);

    public bool TryGet(string uses, [MaybeNullWhen(false)] out ITaskType type) => types.TryGetValue(uses, out type);

    public ITaskType Get(string uses) =>
        types.TryGetValue(uses, out ITaskType? type)
            ? type
            : throw new KeyNotFoundException($"unknown task type '{uses}' (known: {string.Join(", ", types.Keys.Order(StringComparer.Ordinal))})");

    public bool TryGetSchema(string uses, [MaybeNullWhen(false)] out TaskTypeSchema schema)
    {
        schema = types.TryGetValue(uses, out ITaskType? type) ? type.Schema : null;
        return schema is not null;
    }
}

public static class BuiltInTaskTypes
{
    public static IReadOnlyList<ITaskType> Create() =>
        [
            new LogTaskType(), new WaitTaskType(), new HttpTaskType(), new ApprovalTaskType(), new WorkflowTaskType(), new TemplateTaskType(),
            new SyncTaskType(), SyncTaskType.Apply(), SyncTaskType.Diff(), new RenderTaskType(), new GitCommitTaskType(), new DriftTaskType(),
            new AnalysisTaskType(), new RolloutTaskType(), new HelmPublishTaskType(),
            new Jobs.JobTaskType(), new Jobs.ScriptTaskType(),
        ];
}
