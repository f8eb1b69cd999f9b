using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace NgdKernel.Tests.PublicApi;

/// <summary>
/// The public surface of an assembly as text: one header line per exported type
/// (<c>public sealed class NgdKernel.Networks.Network&lt;T&gt; where T : ...</c>), sorted ordinally by
/// full name, followed by its public and protected members, two-space indented and sorted ordinally,
/// in C#-like signatures with nullability, ref kinds, default values and constraints. Compiler
/// generated members with unspeakable names are left out; everything else a caller can bind to is in.
/// </summary>
internal static class PublicApiListing
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(bool)] = "bool",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(char)] = "char",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
        [typeof(nint)] = "nint",
        [typeof(nuint)] = "nuint",
    };

    public static string Of(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Header(type)).Append('\n');
            foreach (string member in Members(type).Order(StringComparer.Ordinal))
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Header(Type type)
    {
        string kind =
            type.IsEnum ? "enum"
            : type.IsInterface ? "interface"
            : typeof(Delegate).IsAssignableFrom(type.BaseType) ? "delegate"
            : type.IsValueType ? (type.IsByRefLike ? "ref struct" : "struct")
            : type.IsAbstract && type.IsSealed ? "static class"
            : type.IsAbstract ? "abstract class"
            : type.IsSealed ? "sealed class"
            : "class";
        if (type.IsValueType && !type.IsEnum && Has(type, "IsReadOnlyAttribute"))
        {
            kind = "readonly " + kind;
        }

        if (IsRecord(type))
        {
            kind = kind.Replace("class", "record", StringComparison.Ordinal).Replace("struct", "record struct", StringComparison.Ordinal);
        }

        var header = new StringBuilder("public ").Append(kind).Append(' ');
        header.Append(type.Namespace).Append('.').Append(TypeName(type, nullability: null));
        var bases = new List<string>();
        if (type.IsEnum)
        {
            bases.Add(TypeName(Enum.GetUnderlyingType(type), null));
        }
        else if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
        {
            bases.Add(TypeName(baseType, null));
        }

        if (!type.IsEnum)
        {
            Type[] inherited = type.BaseType?.GetInterfaces() ?? [];
            bases.AddRange(type.GetInterfaces().Where(i => i.IsVisible && !inherited.Contains(i)).Select(i => TypeName(i, null)).Order(StringComparer.Ordinal));
        }

        if (bases.Count > 0)
        {
            header.Append(" : ").AppendJoin(", ", bases);
        }

        return header.Append(Constraints(type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])).ToString();
    }

    private static IEnumerable<string> Members(Type type)
    {
        if (type.IsEnum)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                yield return $"{field.Name} = {Convert.ToString(field.GetRawConstantValue(), CultureInfo.InvariantCulture)}";
            }

            yield break;
        }

        var context = new NullabilityInfoContext();
        foreach (MemberInfo member in type.GetMembers(Declared))
        {
            string? line = member switch
            {
                ConstructorInfo c when Visible(c) => $"{Modifiers(c)}{TypeName(type, null, generic: false)}({Parameters(c, context)})",
                MethodInfo m when Visible(m) && !IsAccessor(m) => Method(m, context),
                PropertyInfo p when Visible(p.GetMethod) || Visible(p.SetMethod) => Property(p, context),
                FieldInfo f when Visible(f) => Field(f, context),
                EventInfo e when Visible(e.AddMethod) => $"{Modifiers(e.AddMethod!)}event {TypeName(e.EventHandlerType!, context.Create(e))} {e.Name}",
                _ => null,
            };
            if (line is not null && !member.Name.StartsWith('<'))
            {
                yield return line;
            }
        }
    }

    private static string Method(MethodInfo method, NullabilityInfoContext context)
    {
        string returnType = RefPrefix(method.ReturnParameter) + TypeName(method.ReturnType, context.Create(method.ReturnParameter));
        string name = method.Name;
        if (method.IsGenericMethodDefinition)
        {
            name += "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">";
        }

        string extension = method.IsDefined(typeof(ExtensionAttribute)) ? "this " : "";
        string constraints = Constraints(method.IsGenericMethodDefinition ? method.GetGenericArguments() : []);
        return $"{Modifiers(method)}{returnType} {name}({extension}{Parameters(method, context)}){constraints}";
    }

    private static string Property(PropertyInfo property, NullabilityInfoContext context)
    {
        MethodInfo accessor = Visible(property.GetMethod) ? property.GetMethod! : property.SetMethod!;
        var accessors = new List<string>();
        if (Visible(property.GetMethod))
        {
            accessors.Add("get;");
        }

        if (Visible(property.SetMethod))
        {
            bool init = property.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit");
            accessors.Add(init ? "init;" : "set;");
        }

        string required = Has(property, "RequiredMemberAttribute") ? "required " : "";
        ParameterInfo[] index = property.GetIndexParameters();
        string name = index.Length == 0
            ? property.Name
            : "this[" + string.Join(", ", index.Select(p => Parameter(p, context))) + "]";
        string type = RefPrefix(property.GetMethod?.ReturnParameter) + TypeName(property.PropertyType, context.Create(property));
        return $"{Modifiers(accessor)}{required}{type} {name} {{ {string.Join(" ", accessors)} }}";
    }

    private static string Field(FieldInfo field, NullabilityInfoContext context)
    {
        string access = field.IsFamily || field.IsFamilyOrAssembly ? "protected " : "";
        string type = TypeName(field.FieldType, context.Create(field));
        if (field.IsLiteral)
        {
            return $"{access}const {type} {field.Name} = {Literal(field.GetRawConstantValue())}";
        }

        string modifiers = (field.IsStatic ? "static " : "") + (field.IsInitOnly ? "readonly " : "");
        return $"{access}{modifiers}{type} {field.Name}";
    }

    private static string Modifiers(MethodBase method)
    {
        var text = new StringBuilder();
        if (method.IsFamily || method.IsFamilyOrAssembly)
        {
            text.Append("protected ");
        }

        if (method.IsStatic)
        {
            text.Append("static ");
        }
        else if (method.DeclaringType!.IsInterface)
        {
            text.Append(method.IsAbstract ? "" : "virtual ");
        }
        else if (method is MethodInfo m && m.GetBaseDefinition() != m)
        {
            text.Append(m.IsFinal ? "sealed override " : "override ");
        }
        else if (method.IsAbstract)
        {
            text.Append("abstract ");
        }
        else if (method.IsVirtual && !method.IsFinal)
        {
            text.Append("virtual ");
        }

        return text.ToString();
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext context) =>
        string.Join(", ", method.GetParameters().Select(p => Parameter(p, context)));

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext context)
    {
        string prefix = parameter.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "";
        if (Has(parameter, "ScopedRefAttribute"))
        {
            prefix += "scoped ";
        }

        if (parameter.ParameterType.IsByRef)
        {
            prefix += parameter.IsOut ? "out " : parameter.IsIn || Has(parameter, "IsReadOnlyAttribute") ? "in " : "ref ";
        }

        string text = $"{prefix}{TypeName(parameter.ParameterType, context.Create(parameter))} {parameter.Name}";
        if (parameter.HasDefaultValue)
        {
            text += " = " + Literal(parameter.DefaultValue);
        }

        return text;
    }

    private static string RefPrefix(ParameterInfo? returnParameter) =>
        returnParameter is null || !returnParameter.ParameterType.IsByRef ? ""
        : Has(returnParameter, "IsReadOnlyAttribute") ? "ref readonly "
        : "ref ";

    private static string Constraints(Type[] parameters)
    {
        var text = new StringBuilder();
        foreach (Type parameter in parameters)
        {
            var items = new List<string>();
            GenericParameterAttributes attributes = parameter.GenericParameterAttributes;
            bool unmanaged = Has(parameter, "IsUnmanagedAttribute");
            if (unmanaged)
            {
                items.Add("unmanaged");
            }
            else if (attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
            {
                items.Add("struct");
            }
            else if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint))
            {
                items.Add("class");
            }

            items.AddRange(parameter.GetGenericParameterConstraints()
                .Where(c => c != typeof(ValueType))
                .Select(c => TypeName(c, null))
                .Order(StringComparer.Ordinal));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint)
                && !attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
            {
                items.Add("new()");
            }

            if (items.Count > 0)
            {
                text.Append(" where ").Append(parameter.Name).Append(" : ").AppendJoin(", ", items);
            }
        }

        return text.ToString();
    }

    private static string TypeName(Type type, NullabilityInfo? nullability, bool generic = true)
    {
        if (type.IsByRef)
        {
            return TypeName(type.GetElementType()!, nullability);
        }

        if (type.IsPointer)
        {
            return TypeName(type.GetElementType()!, null) + "*";
        }

        if (type.IsArray)
        {
            string rank = type.GetArrayRank() == 1 ? "[]" : "[" + new string(',', type.GetArrayRank() - 1) + "]";
            return TypeName(type.GetElementType()!, nullability?.ElementType) + rank + Nullable(type, nullability);
        }

        if (System.Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeName(underlying, null) + "?";
        }

        if (type.IsGenericParameter)
        {
            return type.Name + Nullable(type, nullability);
        }

        if (Keywords.TryGetValue(type, out string? keyword))
        {
            return keyword + Nullable(type, nullability);
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        if (type.IsNested)
        {
            // Generic arguments of the declaring type are listed once, on the nested type.
            name = TypeName(type.DeclaringType!.IsGenericType ? type.DeclaringType.GetGenericTypeDefinition() : type.DeclaringType, null, generic: false) + "." + name;
        }

        if (generic && type.IsGenericType)
        {
            Type[] arguments = type.GetGenericArguments();
            NullabilityInfo[] argumentNullability = nullability?.GenericTypeArguments ?? [];
            name += "<" + string.Join(", ", arguments.Select((a, i) =>
                TypeName(a, i < argumentNullability.Length ? argumentNullability[i] : null))) + ">";
        }

        return name + Nullable(type, nullability);
    }

    private static string Nullable(Type type, NullabilityInfo? nullability) =>
        !type.IsValueType && nullability?.ReadState == NullabilityState.Nullable ? "?" : "";

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        char c => "'" + c + "'",
        Enum e => e.GetType().Name + "." + e,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool Visible(MethodBase? method) =>
        method is not null && (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly);

    private static bool Visible(FieldInfo field) => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;

    private static bool IsAccessor(MethodInfo method) =>
        method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal);

    // Records: a class has the compiler's "<Clone>$"; a struct its generated PrintMembers.
    private static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null
        || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    // By name: the compiler embeds its own copy of some of these attributes in each assembly.
    private static bool Has(MemberInfo member, string attributeName) =>
        member.CustomAttributes.Any(a => a.AttributeType.Name == attributeName);

    private static bool Has(ParameterInfo parameter, string attributeName) =>
        parameter.CustomAttributes.Any(a => a.AttributeType.Name == attributeName);
}
