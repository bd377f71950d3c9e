using Acornima.Ast;

namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>
/// What an expression may contain. The language is JavaScript without its dangerous half: no
/// functions, assignments, constructors or mutation, no clock or randomness, and calls only to an
/// allow-list of pure functions and methods, none of which can multiply its input (so no
/// <c>repeat</c>, <c>padEnd</c>, <c>join</c> or <c>replace</c>). Every walk here is iterative, so a
/// hostile tree cannot overflow the stack; the evaluator's own recursion is bounded by
/// <see cref="ExpressionLimits.MaxDepth"/>.
/// </summary>
internal static class ExpressionSandbox
{
    static readonly HashSet<NodeType> ForbiddenNodes =
    [
        NodeType.FunctionExpression, NodeType.ArrowFunctionExpression, NodeType.AssignmentExpression,
        NodeType.UpdateExpression, NodeType.NewExpression, NodeType.ClassExpression, NodeType.AwaitExpression,
        NodeType.YieldExpression, NodeType.TaggedTemplateExpression, NodeType.ImportExpression, NodeType.MetaProperty,
        NodeType.Super,
    ];

    /// <summary>Names that reach the engine's machinery rather than data.</summary>
    static readonly HashSet<string> ForbiddenNames = new(StringComparer.Ordinal)
    {
        "constructor", "__proto__", "prototype", "eval", "Function", "globalThis", "Date", "Reflect", "Proxy", "Temporal", "Intl",
        "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
    };

    /// <summary>Globals an expression may name; everything else is removed from the engine too.</summary>
    public static readonly IReadOnlySet<string> Globals = new HashSet<string>(StringComparer.Ordinal)
    {
        "Math", "JSON", "Number", "String", "Boolean", "Object", "Array", "NaN", "Infinity", "undefined",
        "parseInt", "parseFloat", "isNaN", "isFinite", "len",
    };

    /// <summary>Globals that may be called as functions.</summary>
    static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "len", "Number", "String", "Boolean", "parseInt", "parseFloat", "isNaN", "isFinite",
    };

    /// <summary>Methods that may be called, on whatever holds them: each returns at most about as much as it is given.</summary>
    static readonly HashSet<string> Methods = new(StringComparer.Ordinal)
    {
        // Math
        "abs", "ceil", "floor", "round", "trunc", "sign", "min", "max", "sqrt", "pow", "log", "log2", "log10", "exp",
        // JSON, Object, Array, Number
        "parse", "stringify", "keys", "values", "entries", "isArray", "isInteger", "isFinite", "isNaN", "parseFloat", "parseInt",
        // strings and arrays
        "includes", "startsWith", "endsWith", "indexOf", "lastIndexOf", "toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd",
        "slice", "substring", "split", "at", "charAt", "charCodeAt", "test", "match", "search", "toString", "toFixed",
    };

    /// <summary>
    /// Looks at the raw text before any parser does: bracket nesting and the amount of punctuation
    /// bound how deep a recursive-descent parser goes, so a hostile string is refused before it can
    /// take the parser's stack. Quoted text is skipped.
    /// </summary>
    public static (string Problem, int Offset)? Prescan(string source, ExpressionLimits limits)
    {
        if (source.Length > limits.MaxLength)
        {
            return ($"is {source.Length} characters long; the limit is {limits.MaxLength}", 0);
        }

        int depth = 0, punctuation = 0;
        char quote = '\0';
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"' or '`':
                    quote = c;
                    break;
                case '(' or '[' or '{':
                    punctuation++;
                    if (++depth > limits.MaxDepth)
                    {
                        return ($"nests deeper than {limits.MaxDepth} levels", i);
                    }

                    break;
                case ')' or ']' or '}':
                    punctuation++;
                    depth = Math.Max(0, depth - 1);
                    break;
                case '!' or '&' or '|' or '+' or '-' or '*' or '/' or '%' or '<' or '>' or '=' or '?' or ':' or ',' or '.' or '~' or '^':
                    if (++punctuation > limits.MaxPunctuation)
                    {
                        return ($"has more than {limits.MaxPunctuation} operators", i);
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>What a walk of a parsed expression found.</summary>
    public sealed class Findings
    {
        /// <summary>Names the expression reads that are neither globals nor reference placeholders.</summary>
        public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);

        /// <summary>Dotted paths read from variables with static property names, such as <c>params.env</c>.</summary>
        public HashSet<string> Paths { get; } = new(StringComparer.Ordinal);

        /// <summary>Variables read with a computed property (<c>tasks[name]</c>), which static checks cannot follow.</summary>
        public HashSet<string> ComputedRoots { get; } = new(StringComparer.Ordinal);

        public List<Identifier> Placeholders { get; } = [];

        public List<StringLiteral> Strings { get; } = [];

        public List<TemplateElement> TemplateParts { get; } = [];
    }

    /// <summary>
    /// Walks the tree once, iteratively, left to right: the first rule it breaks, with the node that
    /// breaks it. A forbidden construct is reported before a call that is not allowed, because
    /// <c>(() =&gt; 1)()</c> is better explained by its arrow function than by its call.
    /// </summary>
    public static (string Problem, Node At)? Walk(Node root, ExpressionLimits limits, Func<string, bool> isPlaceholder, Findings findings)
    {
        var stack = new Stack<(Node Node, Node? Parent, int Depth)>();
        stack.Push((root, null, 1));
        int nodes = 0;
        (string, Node)? firstCall = null;
        while (stack.Count > 0)
        {
            (Node node, Node? parent, int depth) = stack.Pop();
            if (++nodes > limits.MaxNodes)
            {
                return ($"has more than {limits.MaxNodes} parts; split the logic over several tasks", node);
            }

            if (depth > limits.MaxDepth)
            {
                return ($"nests deeper than {limits.MaxDepth} levels", node);
            }

            if (node is CallExpression call)
            {
                firstCall ??= CallRule(call) is string callProblem ? (callProblem, node) : null;
            }
            else if (Rule(node, parent, isPlaceholder, findings) is string problem)
            {
                return (problem, node);
            }

            foreach (Node child in node.ChildNodes.Reverse())
            {
                stack.Push((child, node, depth + 1));
            }
        }

        return firstCall;
    }

    static string? Rule(Node node, Node? parent, Func<string, bool> isPlaceholder, Findings findings)
    {
        if (ForbiddenNodes.Contains(node.Type))
        {
            return $"{node.Type} is not allowed in expressions (only operators, literals, property access and a few pure functions)";
        }

        switch (node)
        {
            case UnaryExpression { Operator: Acornima.Operator.Delete }:
                return "delete is not allowed in expressions";
            case Identifier identifier:
                return IdentifierRule(identifier, parent, isPlaceholder, findings);
            case StringLiteral literal:
                findings.Strings.Add(literal);
                return parent is MemberExpression { Computed: true } access && access.Property == literal && ForbiddenNames.Contains(literal.Value)
                    ? $"'{literal.Value}' is not allowed in expressions"
                    : null;
            case TemplateElement part:
                findings.TemplateParts.Add(part);
                return null;
            case MemberExpression member:
                RecordPath(member, findings);
                return null;
            default:
                return null;
        }
    }

    static string? IdentifierRule(Identifier identifier, Node? parent, Func<string, bool> isPlaceholder, Findings findings)
    {
        string name = identifier.Name;
        if (ForbiddenNames.Contains(name))
        {
            return $"'{name}' is not allowed in expressions";
        }

        // A property name after a dot, or a key in an object literal, names no variable.
        bool isPropertyName = parent switch
        {
            MemberExpression { Computed: false } member => member.Property == identifier,
            ObjectProperty { Computed: false, Shorthand: false } property => property.Key == identifier,
            _ => false,
        };
        if (isPropertyName)
        {
            return null;
        }

        if (isPlaceholder(name))
        {
            findings.Placeholders.Add(identifier);
        }
        else if (!Globals.Contains(name))
        {
            findings.Variables.Add(name);
        }

        return null;
    }

    static string? CallRule(CallExpression call) => call.Callee switch
    {
        Identifier { Name: var name } when Functions.Contains(name) => null,
        Identifier { Name: var name } => $"'{name}()' is not a function expressions may call (functions: {string.Join(", ", Functions.Order(StringComparer.Ordinal))})",
        MemberExpression { Computed: false, Property: Identifier { Name: var method } } when Methods.Contains(method) => null,
        MemberExpression { Computed: false, Property: Identifier { Name: var method } } => $"'.{method}()' is not a method expressions may call (methods: {string.Join(", ", Methods.Order(StringComparer.Ordinal))})",
        _ => "only named functions and methods may be called, such as len(x) or x.includes('y')",
    };

    /// <summary>Records <c>a.b.c</c> when every step is a plain name (or a quoted one) down to a variable.</summary>
    static void RecordPath(MemberExpression member, Findings findings)
    {
        var parts = new List<string>();
        Expression current = member;
        while (current is MemberExpression step)
        {
            switch (step.Property)
            {
                case Identifier property when !step.Computed:
                    parts.Add(property.Name);
                    break;
                case StringLiteral literal when step.Computed:
                    parts.Add(literal.Value);
                    break;
                case NumericLiteral number when step.Computed:
                    parts.Add(number.Raw);
                    break;
                default:
                    parts.Clear();
                    if (Root(step.Object) is string computedRoot)
                    {
                        findings.ComputedRoots.Add(computedRoot);
                    }

                    break;
            }

            current = step.Object;
        }

        if (current is Identifier root && parts.Count > 0)
        {
            parts.Add(root.Name);
            parts.Reverse();
            findings.Paths.Add(string.Join('.', parts));
        }
    }

    static string? Root(Expression expression)
    {
        while (expression is MemberExpression member)
        {
            expression = member.Object;
        }

        return (expression as Identifier)?.Name;
    }
}
