using GitOps.Orchestrations.Core.Loading.Kinds;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// <c>kind: WorkflowTemplate</c>: a reusable step or DAG with declared <c>inputs</c> and
/// <c>outputs</c>, which tasks run with <c>templateRef</c>. It reads as a workflow whose params are
/// its inputs, so a template is checked, snapshotted and run by the same code as a workflow; the
/// catalog checks each call's arguments against the inputs and refuses call cycles.
/// </summary>
public sealed class WorkflowTemplateKind : DocumentKind<WorkflowDocument>
{
    public const string Name = "WorkflowTemplate";

    public override string Kind => Name;

    public override string? NameProblem(string name) => DocumentNames.DnsLabel(name, "template");

    public override WorkflowDocument? Read(KindReader reader) => WorkflowKind.ReadDocument(reader, template: true);
}
