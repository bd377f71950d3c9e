using System.Text.Json;

namespace GitOps.Orchestrations.Sdk;

/// <summary>
/// A task type written in C#, used in workflows as <c>uses: NAME</c>. Its name and its
/// <c>with:</c> schema are static, so the engine knows them before any instance exists (to validate
/// workflows); an instance is made from the host's services for each call, so the constructor may
/// ask for an <c>IHttpClientFactory</c> or anything else the host registers.
/// </summary>
public interface ICustomTaskType
{
    /// <summary>Namespaced, as <c>acme/notify-cab</c>: lower-case letters, digits and dashes, one slash.</summary>
    static abstract string Name { get; }

    /// <summary>The fields <c>with:</c> may hold. <c>gitops validate</c> reports an unknown or missing one at its <c>file:line:col</c>.</summary>
    static abstract IReadOnlyDictionary<string, TaskField> With { get; }

    /// <summary>
    /// Does the step's work, or one check of it. Called again for a retry (a new attempt, a new
    /// idempotency key), and again with the same key when a worker died before its result was
    /// recorded: make the effect happen once per key. To wait for something outside (a ticket's
    /// approval), return <see cref="TaskOutcome.Pending"/>: the engine waits on a durable timer
    /// and calls again, holding no thread meanwhile.
    /// </summary>
    Task<TaskOutcome> RunAsync(TaskContext context, CancellationToken cancellationToken);
}
