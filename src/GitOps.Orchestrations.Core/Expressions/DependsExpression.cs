using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>What a <c>depends</c> expression may ask about an upstream task.</summary>
public readonly record struct DependencyOutcome(NodePhase Phase, ContinueOnSpec? ContinueOn, bool AnySucceeded, bool AllFailed);

/// <summary>
/// Argo's enhanced <c>depends</c>: <c>a &amp;&amp; (b.Failed || !c.Succeeded)</c>. It shares <c>&amp;&amp;</c>,
/// <c>||</c>, <c>!</c> and parentheses with the expression language, but task names may contain
/// dashes (<c>build-image.Succeeded</c>), so it has its own small grammar. It is parsed once at load
/// time and evaluated natively, because orchestrators evaluate it on every replay.
/// </summary>
public sealed class DependsExpression
{
    public static readonly IReadOnlyList<string> Results = ["Succeeded", "Failed", "Errored", "Skipped", "Omitted", "AnySucceeded", "AllFailed"];

    static readonly HashSet<string> FailureResults = ["Failed", "Errored", "AllFailed", "AnySucceeded"];

    /// <summary>Nesting of <c>!</c> and parentheses: parsing and evaluating recurse by it, so it is bounded.</summary>
    public const int MaxDepth = 64;

    public const int MaxLength = 8192;

    readonly Node root;

    DependsExpression(string text, Node root, IReadOnlyList<TaskReference> references)
    {
        Text = text;
        this.root = root;
        References = references;
    }

    public string Text { get; }

    public IReadOnlyList<TaskReference> References { get; }

    public IEnumerable<string> Tasks => References.Select(r => r.Task).Distinct(StringComparer.Ordinal);

    /// <summary>True when this expression asks about a failure of <paramref name="task"/>, which makes that failure handled.</summary>
    public bool HandlesFailureOf(string task) =>
        References.Any(r => r.Task == task && r.Result is not null && FailureResults.Contains(r.Result));

    public static bool TryParse(string text, out DependsExpression? expression, out string? error, out int column)
    {
        var parser = new DependsParser(text);
        if (text.Length > MaxLength)
        {
            expression = null;
            error = $"depends is {text.Length} characters long; the limit is {MaxLength}";
            column = 1;
            return false;
        }

        try
        {
            Node root = parser.ParseAll();
            expression = new DependsExpression(text, root, parser.References);
            error = null;
            column = 0;
            return true;
        }
        catch (FormatException e)
        {
            expression = null;
            error = e.Message;
            column = parser.ErrorColumn;
            return false;
        }
    }

    public static DependsExpression Parse(string text) =>
        TryParse(text, out DependsExpression? expression, out string? error, out int column)
            ? expression!
            : throw new FormatException($"depends '{text}' at column {column}: {error}");

    /// <summary>Parsed expressions are immutable, and orchestrators rebuild their DAG on every replay, so parses are shared.</summary>
    public static DependsExpression ParseCached(string text) => Cache.GetOrAdd(text, Parse);

    static readonly Caching.BoundedCache<string, DependsExpression> Cache = new(2048, StringComparer.Ordinal);

    public bool Evaluate(Func<string, DependencyOutcome> outcomeOf) => root.Evaluate(outcomeOf);

    public override string ToString() => Text;

    public sealed record TaskReference(string Task, string? Result, int Column);

    abstract record Node
    {
        public abstract bool Evaluate(Func<string, DependencyOutcome> outcomeOf);
    }

    // And and Or hold all their operands in one list, so a long chain is wide, not deep.
    sealed record And(IReadOnlyList<Node> Operands) : Node
    {
        public override bool Evaluate(Func<string, DependencyOutcome> outcomeOf) => Operands.All(o => o.Evaluate(outcomeOf));
    }

    sealed record Or(IReadOnlyList<Node> Operands) : Node
    {
        public override bool Evaluate(Func<string, DependencyOutcome> outcomeOf) => Operands.Any(o => o.Evaluate(outcomeOf));
    }

    sealed record Not(Node Operand) : Node
    {
        public override bool Evaluate(Func<string, DependencyOutcome> outcomeOf) => !Operand.Evaluate(outcomeOf);
    }

    sealed record Reference(string Task, string? Result) : Node
    {
        public override bool Evaluate(Func<string, DependencyOutcome> outcomeOf)
        {
            DependencyOutcome outcome = outcomeOf(Task);
            return Result switch
            {
                // A bare name means "finished fine", and with continueOn also "failed in a way we tolerate".
                null => outcome.Phase is NodePhase.Succeeded or NodePhase.Skipped
                    || (outcome.Phase == NodePhase.Failed && outcome.ContinueOn?.Failed == true)
                    || (outcome.Phase == NodePhase.Errored && outcome.ContinueOn?.Error == true),
                "AnySucceeded" => outcome.AnySucceeded,
                "AllFailed" => outcome.AllFailed,
                _ => outcome.Phase.ToString() == Result,
            };
        }
    }

    sealed class DependsParser(string text)
    {
        int position;
        int depth;

        public List<TaskReference> References { get; } = [];

        public int ErrorColumn => position + 1;

        public Node ParseAll()
        {
            Node node = ParseOr();
            SkipSpace();
            if (position < text.Length)
            {
                throw new FormatException($"unexpected '{text[position]}'");
            }

            return node;
        }

        Node ParseOr()
        {
            var operands = new List<Node> { ParseAnd() };
            while (Accept("||"))
            {
                operands.Add(ParseAnd());
            }

            return operands.Count == 1 ? operands[0] : new Or(operands);
        }

        Node ParseAnd()
        {
            var operands = new List<Node> { ParseUnary() };
            while (Accept("&&"))
            {
                operands.Add(ParseUnary());
            }

            return operands.Count == 1 ? operands[0] : new And(operands);
        }

        Node ParseUnary()
        {
            if (Accept("!"))
            {
                using (Deeper())
                {
                    return new Not(ParseUnary());
                }
            }

            if (Accept("("))
            {
                using (Deeper())
                {
                    Node inner = ParseOr();
                    if (!Accept(")"))
                    {
                        throw new FormatException("expected ')'");
                    }

                    return inner;
                }
            }

            return ParseReference();
        }

        /// <summary>One level further into <c>!</c> or parentheses; past <see cref="MaxDepth"/> the parse stops with an error, never a stack overflow.</summary>
        Level Deeper()
        {
            if (++depth > MaxDepth)
            {
                throw new FormatException($"nested deeper than {MaxDepth} levels of '!' and parentheses");
            }

            return new Level(this);
        }

        readonly struct Level(DependsParser parser) : IDisposable
        {
            public void Dispose() => parser.depth--;
        }

        Node ParseReference()
        {
            SkipSpace();
            int start = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '-'))
            {
                position++;
            }

            if (start == position)
            {
                throw new FormatException(position < text.Length ? $"expected a task name, found '{text[position]}'" : "expected a task name");
            }

            string task = text[start..position];
            string? result = null;
            if (position < text.Length && text[position] == '.')
            {
                position++;
                int resultStart = position;
                while (position < text.Length && char.IsAsciiLetter(text[position]))
                {
                    position++;
                }

                result = text[resultStart..position];
                if (!Results.Contains(result))
                {
                    position = resultStart;
                    throw new FormatException($"unknown result '{result}' (use {string.Join(", ", Results)})");
                }
            }

            References.Add(new TaskReference(task, result, start + 1));
            return new Reference(task, result);
        }

        bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, position, token, 0, token.Length) == 0)
            {
                position += token.Length;
                return true;
            }

            return false;
        }

        void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }
    }
}
