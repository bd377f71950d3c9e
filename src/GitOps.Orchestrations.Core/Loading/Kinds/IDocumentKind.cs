namespace GitOps.Orchestrations.Core.Loading.Kinds;

/// <summary>
/// One kind of document the engine reads from Git (Workflow, AnalysisTemplate, Rollout,
/// Pipeline, …). The envelope every kind shares (<c>apiVersion</c>, <c>kind</c>, <c>metadata</c>,
/// <c>spec</c>) is read once, by <see cref="DocumentLoader"/>; a kind reads only its spec. Adding a
/// kind is one class and one line in <see cref="KindRegistry"/>.
/// </summary>
public interface IDocumentKind
{
    string Kind { get; }

    /// <summary>The <c>apiVersion</c> its documents carry: this project's, or another tool's for a format read as that tool writes it (Kyverno's policies).</summary>
    string ApiVersion { get; }

    /// <summary>Whether its documents may name a <c>metadata.namespace</c>, as a namespaced Kubernetes resource does.</summary>
    bool Namespaced { get; }

    /// <summary>Why <paramref name="name"/> cannot name a document of this kind, or null when it can.</summary>
    string? NameProblem(string name);

    /// <summary>The document as the engine uses it, or null when it has errors (the reader's diagnostics say which).</summary>
    object? Read(KindReader reader);
}

/// <summary>A kind whose documents read as <typeparamref name="T"/>.</summary>
public abstract class DocumentKind<T> : IDocumentKind
    where T : class
{
    public abstract string Kind { get; }

    public virtual string ApiVersion => DocumentLoader.ApiVersion;

    public virtual bool Namespaced => false;

    public virtual string? NameProblem(string name) => null;

    public abstract T? Read(KindReader reader);

    object? IDocumentKind.Read(KindReader reader) => Read(reader);
}
